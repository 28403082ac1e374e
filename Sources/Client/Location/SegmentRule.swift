import Foundation
import HostsCore

/// One condition of `--when`: a segment is active only where all of its rules hold.
///
/// Stored in config.json as the text the user typed (`network=10.8.0.0/16`, `not interface=tun0`), so the file
/// stays readable and every rule prints back the way it was given.
indirect enum SegmentRule: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Some interface of this machine that is up and running has an address in the range.
    case network(CIDR)
    /// The interface exists, is up and running (has a carrier: a VPN's `tun0`, `wg0`, `utun3` with its daemon).
    case interface(String)
    /// An HTTP(S) GET of the URL answers 2xx (not a redirect: see ``LocationCheck/detail(_:)``) within ``LocationCheck/reachableTimeout``.
    case reachable(String)
    case not(SegmentRule)

    init(parsing text: String) throws(UsageError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for negation in ["not ", "!"] where trimmed.lowercased().hasPrefix(negation) {
            self = .not(try SegmentRule(parsing: String(trimmed.dropFirst(negation.count))))
            return
        }
        guard let equals = trimmed.firstIndex(of: "=") else { throw Self.usage(text) }
        let key = trimmed[..<equals].lowercased()
        let value = String(trimmed[trimmed.index(after: equals)...])
        switch key {
        case "network":
            do {
                self = .network(try CIDR(parsing: value))
            } catch {
                throw UsageError("--when \(text): \(error.description)")
            }
        case "interface":
            // Linux allows 15 bytes; macOS names are shorter still. No slashes, spaces or control characters.
            guard (1...15).contains(value.utf8.count),
                value.unicodeScalars.allSatisfy({
                    $0.isASCII && ($0.properties.isAlphabetic || "0123456789._:-@".unicodeScalars.contains($0))
                })
            else { throw UsageError("--when \(text): not an interface name") }
            self = .interface(value)
        case "reachable":
            guard let url = URL(string: value), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https", url.host != nil
            else { throw UsageError("--when \(text): reachable= needs an http:// or https:// URL") }
            self = .reachable(value)
        default:
            throw Self.usage(text)
        }
    }

    private static func usage(_ text: String) -> UsageError {
        UsageError(
            "--when '\(text)': use network=CIDR, interface=NAME, reachable=URL, or 'not ' before one of them")
    }

    var description: String {
        switch self {
        case .network(let cidr): "network=\(cidr)"
        case .interface(let name): "interface=\(name)"
        case .reachable(let url): "reachable=\(url)"
        case .not(let rule): "not \(rule)"
        }
    }

    /// The rule a `not` wraps, down to the one that is actually measured.
    var measured: SegmentRule {
        if case .not(let inner) = self { return inner.measured }
        return self
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try SegmentRule(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
