import Foundation
import HostsCore

/// Reads and writes the files of the state directory. Every write is atomic (HostsCore `AtomicFile`), so a client
/// killed at any moment leaves each file either old or new.
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
        guard let bytes = try FileIO.contentsIfPresent(of: paths.configFile) else { return ClientConfig() }
        do {
            return try Self.decoder.decode(ClientConfig.self, from: Data(bytes))
        } catch {
            throw ClientError.invalidState(path: paths.configFile, reason: Self.describe(error))
        }
    }

    func saveConfig(_ config: ClientConfig) throws {
        try FileIO.makeDirectories(paths.stateDirectory)
        try writeJSON(config, to: paths.configFile)
    }

    // MARK: remote segment cache

    func loadMeta(_ name: String) throws -> SegmentMeta? {
        guard let bytes = try FileIO.contentsIfPresent(of: paths.metaFile(name)) else { return nil }
        do {
            return try Self.decoder.decode(SegmentMeta.self, from: Data(bytes))
        } catch {
            throw ClientError.invalidState(path: paths.metaFile(name), reason: Self.describe(error))
        }
    }

    func saveMeta(_ meta: SegmentMeta, for name: String) throws {
        try FileIO.makeDirectories(paths.cacheDirectory)
        try writeJSON(meta, to: paths.metaFile(name))
    }

    func loadCache(_ name: String) throws -> [UInt8]? {
        try FileIO.contentsIfPresent(of: paths.cacheFile(name))
    }

    func saveCache(_ bytes: [UInt8], for name: String) throws {
        try FileIO.makeDirectories(paths.cacheDirectory)
        try writeFile(bytes, to: paths.cacheFile(name), mode: 0o644)
    }

    func removeCache(_ name: String) throws {
        try FileIO.remove(paths.cacheFile(name))
        try FileIO.remove(paths.metaFile(name))
    }

    // MARK: local segments

    func loadLocal(_ name: String) throws -> [UInt8] {
        try FileIO.contentsIfPresent(of: paths.localFile(name)) ?? []
    }

    func saveLocal(_ bytes: [UInt8], for name: String) throws {
        try FileIO.makeDirectories(paths.localDirectory)
        try writeFile(bytes, to: paths.localFile(name), mode: 0o644)
    }

    func removeLocal(_ name: String) throws {
        try FileIO.remove(paths.localFile(name))
    }

    // MARK: applied.json

    func loadApplied() -> AppliedState? {
        guard let bytes = try? FileIO.contentsIfPresent(of: paths.appliedFile) else { return nil }
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
        try writeFile([UInt8](data), to: path, mode: 0o644)
    }

    private func writeFile(_ bytes: [UInt8], to path: String, mode: UInt32) throws {
        do {
            try AtomicFile.write(bytes, to: path, mode: mode)
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
