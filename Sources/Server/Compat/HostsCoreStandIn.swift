// Stand-in for the parts of the HostsCore API (see hostscore-api.md) this target uses, until HostsCore lands
// on main. Declarations in this module shadow HostsCore's; delete this file after merging main.
import Crypto
import Foundation

struct HostsEntry: Sendable {
    var line: Int
}

struct HostsParseError: Error, CustomStringConvertible, Sendable {
    var source: String
    var line: Int
    var reason: String
    var description: String { "\(source):\(line): \(reason)" }
}

enum StrictParser {
    static func parse(_ bytes: some Collection<UInt8>, source: String) throws(HostsParseError) -> [HostsEntry] {
        guard let text = String(validating: Array(bytes), as: UTF8.self) else {
            throw HostsParseError(source: source, line: 0, reason: "not UTF-8")
        }
        var entries: [HostsEntry] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            guard fields.count >= 2, isAddress(fields[0]) else {
                throw HostsParseError(source: source, line: offset + 1, reason: "not an address: \(fields[0])")
            }
            for name in fields.dropFirst() where !isHostname(name) {
                throw HostsParseError(source: source, line: offset + 1, reason: "not a hostname: \(name)")
            }
            entries.append(HostsEntry(line: offset + 1))
        }
        return entries
    }

    private static func isAddress(_ text: Substring) -> Bool {
        if text.contains(":") { return text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil && ($0 == "0" || !$0.hasPrefix("0")) }
    }

    private static func isHostname(_ text: Substring) -> Bool {
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return text.count <= 253
            && labels.allSatisfy { label in
                !label.isEmpty && label.count <= 63 && label.first != "-" && label.last != "-"
                    && label.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }
            }
    }
}

enum ProfileName {
    static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        let allowed = { (c: UInt8) in (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x2D }
        return first != 0x2D && name.utf8.allSatisfy(allowed)
    }
}

enum SHA256Hex {
    static func of(_ bytes: some Collection<UInt8>) -> String {
        SHA256.hash(data: Array(bytes)).map { String(format: "%02x", $0) }.joined()
    }
}

struct ProfileRecord: Codable, Sendable, Equatable {
    var name: String
    var description: String?
    var sha256: String
    var bytes: Int
    var entries: Int
    var generatedAt: Date
    var changedAt: Date
    enum CodingKeys: String, CodingKey {
        case name, description, sha256, bytes, entries
        case generatedAt = "generated_at"
        case changedAt = "changed_at"
    }
}

struct ProfileIndex: Codable, Sendable, Equatable {
    var profiles: [ProfileRecord]
    static func decode(_ data: Data) throws -> ProfileIndex {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ProfileIndex.self, from: data)
    }
}
