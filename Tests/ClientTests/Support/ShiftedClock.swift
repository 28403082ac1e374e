import Foundation

/// Runs a client with its wall clock moved (as a hostile network's NTP, a VM restored from a snapshot or a bad
/// RTC moves it): an `LD_PRELOAD` library, built here with the system C compiler, adds `SHIFT_SECONDS` to every
/// CLOCK_REALTIME reading (`clock_gettime`, `gettimeofday`, `time`). The monotonic clock is left alone.
enum ShiftedClock {
    private static let source = #"""
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdlib.h>
        #include <sys/time.h>
        #include <time.h>
        static long shift(void) { const char *s = getenv("SHIFT_SECONDS"); return s ? atol(s) : 0; }
        int clock_gettime(clockid_t clock, struct timespec *t) {
            static int (*real)(clockid_t, struct timespec *);
            if (!real) real = dlsym(RTLD_NEXT, "clock_gettime");
            int r = real(clock, t);
            if (r == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) t->tv_sec += shift();
            return r;
        }
        int gettimeofday(struct timeval *tv, void *tz) {
            static int (*real)(struct timeval *, void *);
            if (!real) real = dlsym(RTLD_NEXT, "gettimeofday");
            int r = real(tv, tz);
            if (r == 0 && tv) tv->tv_sec += shift();
            return r;
        }
        time_t time(time_t *t) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            if (t) *t = now.tv_sec;
            return now.tv_sec;
        }
        """#

    /// The environment that runs a client `seconds` ahead (or behind, negative).
    static func environment(shiftedBy seconds: Int, in directory: String) throws -> [String: String] {
        let library = directory + "/shifted-clock.so"
        if !FileManager.default.fileExists(atPath: library) {
            let file = directory + "/shifted-clock.c"
            try source.write(toFile: file, atomically: true, encoding: .utf8)
            let compiler = Process()
            compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            compiler.arguments = ["cc", "-shared", "-fPIC", "-O1", "-o", library, file, "-ldl"]
            try compiler.run()
            compiler.waitUntilExit()
            guard compiler.terminationStatus == 0 else {
                throw ShiftedClockError(description: "cc could not build \(library) (install gcc)")
            }
        }
        return ["LD_PRELOAD": library, "SHIFT_SECONDS": String(seconds)]
    }

    struct ShiftedClockError: Error, CustomStringConvertible {
        var description: String
    }
}
