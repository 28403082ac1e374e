#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's descriptor limit (RLIMIT_NOFILE) and what it leaves for connections.
///
/// Running out of descriptors is not a recoverable error here: once a second libdispatch's worker-pool
/// monitor opens `/proc/<tid>/stat`, and when that open fails (EMFILE) it crashes the process (SIGILL,
/// "workq: registered worker exited prematurely"). So the connection limit keeps the process well away
/// from the descriptor limit rather than relying on accept back-off alone.
enum DescriptorLimit {
    /// Descriptors kept for everything but connection sockets: the event loops, the snapshot's memory
    /// files, reading the published directory, the token and TLS files, the runtime's own.
    static func reserve(limit: Int) -> Int { max(64, limit / 4) }

    /// A connection's socket, plus, without TLS, up to ``ConnectionFileHandles/limit`` memory-file handles it
    /// sends bodies through.
    static func descriptorsPerConnection(sendsFiles: Bool) -> Int {
        sendsFiles ? 1 + ConnectionFileHandles.limit : 1
    }

    /// Never more connections than this by default, however high the limit.
    static let defaultCap = 10_000

    /// The most connections `limit` descriptors can hold with the reserve kept free.
    static func maximumConnections(limit: Int, sendsFiles: Bool) -> Int {
        max(1, (limit - reserve(limit: limit)) / descriptorsPerConnection(sendsFiles: sendsFiles))
    }

    /// `--max-connections` when not given: what the limit holds, at most ``defaultCap``.
    static func defaultMaxConnections(limit: Int, sendsFiles: Bool) -> Int {
        min(defaultCap, maximumConnections(limit: limit, sendsFiles: sendsFiles))
    }

    /// The current soft limit.
    static var current: Int {
        var limits = rlimit()
        guard getrlimit(resource, &limits) == 0 else { return 1024 }
        return clamp(limits.rlim_cur)
    }

    /// Raises the soft limit to the hard limit (what an unprivileged process may do) and returns the
    /// soft limit in force afterwards.
    @discardableResult
    static func raiseToHard() -> Int {
        var limits = rlimit()
        guard getrlimit(resource, &limits) == 0 else { return current }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            _ = setrlimit(resource, &raised)
        }
        return current
    }

    #if canImport(Glibc)
        private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
        private static let resource = RLIMIT_NOFILE
    #endif

    private static func clamp(_ value: rlim_t) -> Int {
        // RLIM_INFINITY is all ones.
        value > rlim_t(Int32.max) ? Int(Int32.max) : Int(value)
    }
}
