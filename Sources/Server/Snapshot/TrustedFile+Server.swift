import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension TrustedFile.Policy {
    /// A file of the published directory, once ``PublishedDirectory`` has resolved its name to a regular file
    /// inside the directory: any owner (the publisher is whoever the deployment says), never through a link.
    static let publishedFile = TrustedFile.Policy(
        label: "published file", maxBytes: 32 * 1024 * 1024, owners: nil, checkDirectories: false)

    /// `--token-file`: any owner; links followed (a Kubernetes Secret volume presents `tokens -> ..data/tokens`).
    static let serverTokenFile = TrustedFile.Policy(
        label: "token file", maxBytes: 1024 * 1024, owners: nil, checkDirectories: false, followLinks: true)
}

extension TrustedFile {
    /// The server's reads (the published files, the token file): HostsCore's reader (lstat before open, no
    /// blocking on a FIFO, same inode, size cap, unchanged while read), with the stamp the poller compares and
    /// errors as ``DirectoryError`` named `name`, without the path in the reason (/healthz shows it).
    /// - Parameter expected: what the caller's lstat saw; another inode opened is reported as a change.
    static func serverRead(
        _ path: String, name: String, _ policy: Policy, expected: stat? = nil
    ) throws(DirectoryError) -> (bytes: [UInt8], stamp: FileStamp) {
        let present: Contents?
        do {
            present = try contentsIfPresent(path, policy)
        } catch {
            // strerror's own words, as the server has always reported them ("Permission denied").
            let reason = error.code.map { String(cString: strerror($0)) } ?? error.reason
            throw DirectoryError(path: name, reason: reason, transient: error.changing)
        }
        // Gone (a ConfigMap swap removes the old version's files): the next poll sees what replaced it.
        guard let contents = present else {
            throw DirectoryError(path: name, reason: String(cString: strerror(ENOENT)), transient: true)
        }
        if let expected, contents.info.st_dev != expected.st_dev || contents.info.st_ino != expected.st_ino {
            throw DirectoryError(path: name, reason: "changed while being opened", transient: true)
        }
        return (contents.bytes, FileStamp(contents.info))
    }
}
