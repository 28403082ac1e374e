import Foundation
import HostsCore

/// Copies of the hosts file taken before every write, in `STATE_DIR/backups/STAMP-SEQ.hosts`, each with
/// `STAMP-SEQ.json` saying which hosts file it is a copy of (so it is not restored onto another one by mistake).
///
/// SEQ only grows, so the order never depends on clocks; only the newest `keep` are kept.
struct BackupStore: Sendable {
    struct Backup: Sendable, Codable, Equatable {
        var id: String
        var sequence: Int
        var createdAt: Date?
        var bytes: Int
        var path: String
        /// The hosts file it was taken of; nil for a backup made by an older client (or a damaged record).
        var source: String?
        /// Why the file cannot be restored (a symlink, another user's file), if it cannot.
        var problem: String?

        enum CodingKeys: String, CodingKey {
            case id, sequence
            case createdAt = "created_at"
            case bytes, path, source, problem
        }
    }

    /// What `STAMP-SEQ.json` holds.
    struct Record: Codable, Sendable {
        var source: String
    }

    var directory: String
    var keep: Int
    /// The hosts file new backups are taken of.
    var source: String?

    init(directory: String, keep: Int, source: String? = nil) {
        self.directory = directory
        self.keep = max(1, keep)
        self.source = source
    }

    /// Oldest first. Nothing is opened: each entry is judged by lstat, and only its record is read.
    func list() throws -> [Backup] {
        try FileIO.list(directory).compactMap { name -> Backup? in
            guard name.hasSuffix(".hosts"), !name.hasPrefix(".") else { return nil }
            let id = String(name.dropLast(".hosts".count))
            guard let dash = id.lastIndex(of: "-"), let sequence = Int(id[id.index(after: dash)...]) else {
                return nil
            }
            let path = "\(directory)/\(name)"
            var info = stat()
            let size = lstat(path, &info) == 0 ? Int(info.st_size) : 0
            return Backup(
                id: id, sequence: sequence, createdAt: Self.parseStamp(String(id[..<dash])), bytes: size, path: path,
                source: record(id)?.source, problem: StateFiles.problem(at: path))
        }
        .sorted { $0.sequence < $1.sequence }
    }

    func recordPath(_ id: String) -> String { "\(directory)/\(id).json" }

    private func record(_ id: String) -> Record? {
        guard let bytes = try? StateFiles.contentsIfPresent(of: recordPath(id)) else { return nil }
        return try? StateStore.decoder.decode(Record.self, from: Data(bytes))
    }

    /// Saves `bytes` as the newest backup, then prunes. Returns the new backup's id.
    @discardableResult
    func save(_ bytes: [UInt8], now: Date = Date()) throws -> String {
        try StateDirectory.makeSubdirectory(directory)
        let existing = try list()
        let sequence = (existing.last?.sequence ?? 0) + 1
        let id = "\(Self.stamp(now))-\(sequence)"
        do {
            if let source {
                var record = try StateStore.encoder.encode(Record(source: source))
                record.append(0x0A)
                _ = try AtomicFile.replace(recordPath(id), with: record, options: StateStore.privateFile)
            }
            _ = try AtomicFile.replace("\(directory)/\(id).hosts", with: bytes, options: StateStore.privateFile)
        } catch let error as AtomicFileError {
            throw FileSystemError(atomic: error)
        }
        for old in (existing + [Backup(id: id, sequence: sequence, bytes: bytes.count, path: "")]).dropLast(keep) {
            try FileIO.remove(old.path)
            try FileIO.remove(recordPath(old.id))
        }
        return id
    }

    /// The backup with this id, or the newest when `id` is nil.
    func find(_ id: String?) throws -> Backup {
        let all = try list()
        guard let id else {
            guard let newest = all.last else { throw ClientError.noBackups }
            return newest
        }
        guard let match = all.first(where: { $0.id == id || String($0.sequence) == id }) else {
            throw ClientError.unknownBackup(id)
        }
        return match
    }

    static func stamp(_ date: Date) -> String {
        // 20261122T023000Z: sortable and safe in file names.
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", components.year!, components.month!, components.day!,
            components.hour!, components.minute!, components.second!)
    }

    static func parseStamp(_ text: String) -> Date? {
        let digits = text.filter(\.isNumber)
        guard digits.count == 14 else { return nil }
        var components = DateComponents()
        let values = [4, 2, 2, 2, 2, 2].reduce(into: (rest: Substring(digits), out: [Int]())) { state, width in
            state.out.append(Int(state.rest.prefix(width))!)
            state.rest = state.rest.dropFirst(width)
        }.out
        components.year = values[0]
        components.month = values[1]
        components.day = values[2]
        components.hour = values[3]
        components.minute = values[4]
        components.second = values[5]
        components.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: components)
    }
}
