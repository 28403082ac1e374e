import Foundation
import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `edit`: the user edits a copy of a local segment in `$VISUAL`/`$EDITOR`; only content that passes the strict
/// parser replaces the segment. Rejected text is kept next to the segment so no typing is lost.
///
/// The copy lives in a fresh directory inside the (root-only) state directory, created with mkdtemp and opened
/// O_CREAT|O_EXCL|O_NOFOLLOW: no other user can see, pre-create or rewrite it while the editor is open.
struct SegmentEditor {
    var context: ClientContext
    var environment: [String: String] = ProcessInfo.processInfo.environment

    var editorCommand: String {
        for key in ["VISUAL", "EDITOR"] {
            if let value = environment[key], !value.trimmingCharacters(in: .whitespaces).isEmpty { return value }
        }
        return "vi"
    }

    var rejectedPath: (String) -> String { { context.paths.localFile($0) + ".rejected" } }

    /// Returns the new content, or nil when the user saved no change. The lock is not held while the editor runs.
    func edit(_ name: String) throws -> [UInt8]? {
        let config = try context.store.loadConfig()
        let segment = try context.requireSegment(name, in: config)
        guard segment.kind == .local else { throw ClientError.notLocal(name) }
        let original = try context.store.loadLocal(name)

        let workspace = try Self.makePrivateDirectory(in: context.paths.stateDirectory, prefix: ".edit-\(name)-")
        defer { Self.removeTree(workspace) }
        let draft = workspace + "/" + PublishedLayout.profileFile(name)
        try Self.createDraft(original, at: draft)
        try runEditor(on: draft)
        guard let edited = try StateFiles.contentsIfPresent(of: draft) else {
            throw ClientError.invalidArguments("the editor removed \(draft); segment \(name) unchanged")
        }
        if edited == original { return nil }
        do {
            _ = try StrictParser.parse(edited, source: context.paths.localFile(name))
        } catch {
            let kept = rejectedPath(name)
            try StateDirectory.makeSubdirectory(context.paths.localDirectory)
            try context.store.writeFile(edited, to: kept)
            throw ClientError.editRejected(reason: error.description, keptAt: kept)
        }
        return edited
    }

    /// mkdtemp: a new directory, 0700, that no one else can have made first.
    static func makePrivateDirectory(in parent: String, prefix: String) throws -> String {
        var template = Array((parent + "/" + prefix + "XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw FileSystemError(path: parent, operation: "create a private directory in")
        }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func createDraft(_ bytes: [UInt8], at path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { throw FileSystemError(path: path, operation: "create") }
        defer { close(fd) }
        try FileIO.writeAll(fd: fd, bytes, path: path)
    }

    /// The workspace and whatever the editor left in it (swap and backup files).
    private static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    private func runEditor(on path: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // "$EDITOR" may carry arguments ("code --wait"), so let the shell split it; the path goes as $1.
        process.arguments = ["-c", "\(editorCommand) \"$1\"", "hosts-client-edit", path]
        try process.run()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw ClientError.editorFailed(command: editorCommand, status: process.terminationStatus)
        }
    }
}
