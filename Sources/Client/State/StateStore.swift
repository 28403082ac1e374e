import Foundation
import HostsCore

/// Reads and writes the files of the state directory. Every write is atomic (HostsCore `AtomicFile`), so a client
/// killed at any moment leaves each file either old or new; every file is written 0600 (in a 0700 directory) and
/// read through `StateFiles` (no symlinks, root's own files only).
struct StateStore: Sendable {
    var paths: StatePaths

    /// Milliseconds in state files: two syncs racing are ordered by when their fetches started (a whole-second
    /// stamp would tie them). Whole-second stamps written by earlier versions still read.
    private static let preciseDates = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    private static let wholeSecondDates = Date.ISO8601FormatStyle()

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(preciseDates))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = (try? preciseDates.parse(text)) ?? (try? wholeSecondDates.parse(text)) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO 8601 date")
        }
        return decoder
    }()

    // MARK: config.json

    /// The configuration; an empty one when the file does not exist yet.
    func loadConfig() throws -> ClientConfig {
        guard let bytes = try StateFiles.contentsIfPresent(of: paths.configFile) else { return ClientConfig() }
        let config: ClientConfig
        do {
            config = try Self.decoder.decode(ClientConfig.self, from: Data(bytes))
        } catch {
            throw ClientError.invalidState(path: paths.configFile, reason: Self.describe(error))
        }
        // Names become file names: one edited by hand must not reach outside its folder.
        for segment in config.segments where !ProfileName.isValid(segment.name) {
            throw ClientError.invalidState(
                path: paths.configFile, reason: "segment name '\(segment.name)' is not a valid name")
        }
        return config
    }

    func saveConfig(_ config: ClientConfig) throws {
        try StateDirectory.create(paths)
        try writeJSON(config, to: paths.configFile)
    }

    // MARK: remote segment cache

    /// The segment's fetch state. A damaged or refused meta file reads as none, with one warning naming it: the
    /// segment is fetched afresh and the file rewritten, and no other segment is held up (`metaProblem` and
    /// `doctor` show it).
    func loadMeta(_ name: String) throws -> SegmentMeta? {
        switch readMeta(name) {
        case .success(let meta): return meta
        case .failure(let error):
            MetaWarnings.once(paths.metaFile(name)) {
                Console.err("warning: \(error) (until then segment \(name) is fetched as if new)")
            }
            return nil
        }
    }

    /// The meta file, or why it cannot be used.
    func readMeta(_ name: String) -> Result<SegmentMeta?, any Error> {
        Result {
            guard let bytes = try StateFiles.contentsIfPresent(of: paths.metaFile(name)) else { return nil }
            do {
                return try Self.decoder.decode(SegmentMeta.self, from: Data(bytes))
            } catch {
                throw ClientError.invalidState(path: paths.metaFile(name), reason: Self.describe(error))
            }
        }
    }

    func metaProblem(_ name: String) -> String? {
        if case .failure(let error) = readMeta(name) { return "\(error)" }
        return nil
    }

    func saveMeta(_ meta: SegmentMeta, for name: String) throws {
        try StateDirectory.makeSubdirectory(paths.cacheDirectory)
        try writeJSON(meta, to: paths.metaFile(name))
    }

    /// A remote segment's last good copy; for a local segment, its last version that parsed.
    func loadCache(_ name: String) throws -> [UInt8]? {
        try StateFiles.contentsIfPresent(of: paths.cacheFile(name))
    }

    func saveCache(_ bytes: [UInt8], for name: String) throws {
        try StateDirectory.makeSubdirectory(paths.cacheDirectory)
        try writeFile(bytes, to: paths.cacheFile(name))
    }

    func removeCache(_ name: String) throws {
        try FileIO.remove(paths.cacheFile(name))
        try FileIO.remove(paths.metaFile(name))
    }

    // MARK: local segments

    func loadLocal(_ name: String) throws -> [UInt8] {
        try StateFiles.contentsIfPresent(of: paths.localFile(name)) ?? []
    }

    /// Saves content that passed the strict parser, and keeps it as the segment's last good version.
    func saveLocal(_ bytes: [UInt8], for name: String) throws {
        try StateDirectory.makeSubdirectory(paths.localDirectory)
        try writeFile(bytes, to: paths.localFile(name))
        try saveCache(bytes, for: name)
    }

    func removeLocal(_ name: String) throws {
        try FileIO.remove(paths.localFile(name))
        try FileIO.remove(paths.cacheFile(name))
    }

    // MARK: applied.json

    func loadApplied() -> AppliedState? {
        guard let bytes = try? StateFiles.contentsIfPresent(of: paths.appliedFile) else { return nil }
        return try? Self.decoder.decode(AppliedState.self, from: Data(bytes))
    }

    func saveApplied(_ state: AppliedState) throws {
        try writeJSON(state, to: paths.appliedFile)
    }

    // MARK: helpers

    /// The segment's current content: the cached copy for a remote one (nil if never fetched), the file for a local.
    func content(of segment: SegmentConfig) throws -> [UInt8]? {
        switch segment.kind {
        case .remote: try loadCache(segment.name)
        case .local: try loadLocal(segment.name)
        }
    }

    private func writeJSON(_ value: some Encodable, to path: String) throws {
        var data = try Self.encoder.encode(value)
        data.append(0x0A)
        try writeFile([UInt8](data), to: path)
    }

    /// State files: 0600 and the writer's, taking nothing from whatever was at the path before (a symlink there
    /// is replaced, its target never opened).
    static let privateFile = AtomicFile.Options(mode: 0o600, keepMetadata: false, symlinks: .replaceLink)

    /// 0600 and root's, whatever was at `path` before (a symlink there is replaced, never followed).
    func writeFile(_ bytes: [UInt8], to path: String) throws {
        do {
            _ = try AtomicFile.replace(path, with: bytes, options: Self.privateFile)
        } catch {
            throw FileSystemError(atomic: error)
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, _):
            return "missing key '\(key.stringValue)'"
        default:
            return "\(error)"
        }
    }
}

/// Each damaged meta file is named once per run, not at every read.
private final class MetaWarnings: @unchecked Sendable {
    static let shared = MetaWarnings()
    private let lock = NSLock()
    private var seen: Set<String> = []

    static func once(_ path: String, _ warn: () -> Void) {
        shared.lock.lock()
        let first = shared.seen.insert(path).inserted
        shared.lock.unlock()
        if first { warn() }
    }
}
