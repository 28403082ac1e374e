import Foundation
import HostsCore

/// `edit`: the user edits a copy of a local segment in `$VISUAL`/`$EDITOR`; only content that passes the strict
/// parser replaces the segment. Rejected text is kept next to the segment so no typing is lost.
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

        let draft = FileManager.default.temporaryDirectory.path + "/hosts-client-\(name)-\(getpid()).hosts"
        try FileSystemError.wrap { () throws(AtomicFileError) in try AtomicFile.write(original, to: draft, mode: 0o600)
        }
        defer { try? FileIO.remove(draft) }
        try runEditor(on: draft)
        let edited = try FileIO.contents(of: draft)
        if edited == original { return nil }
        do {
            _ = try StrictParser.parse(edited, source: context.paths.localFile(name))
        } catch {
            let kept = rejectedPath(name)
            try FileIO.makeDirectories(context.paths.localDirectory)
            try FileSystemError.wrap { () throws(AtomicFileError) in try AtomicFile.write(edited, to: kept, mode: 0o600)
            }
            throw ClientError.editRejected(reason: error.description, keptAt: kept)
        }
        return edited
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
