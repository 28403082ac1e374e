#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback port where nothing listens, for tests of a peer that is down: connections to it are refused for
/// as long as this holds it (until ``close()``). A socket bound to the port and never listening holds it, so no
/// other test's server can be given the port meanwhile; a port that was free a moment ago (bound, then closed)
/// could be, and the test would then talk to that server.
///
/// Keep it open across the use: `let down = try RefusingPort(); defer { down.close() }`.
public final class RefusingPort: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        (fd, port) = try LoopbackSocket.bound(reuseAddress: false)
    }

    /// Releases the port.
    public func close() {
        #if canImport(Glibc)
            _ = Glibc.close(fd)
        #else
            _ = Darwin.close(fd)
        #endif
    }
}
