import Foundation
import HostsCore

/// What the user configured: the ordered list of segments (order is precedence) and a few settings.
///
/// Lives in `STATE_DIR/config.json`; written atomically and only under the state-dir lock.
struct ClientConfig: Codable, Sendable, Equatable {
    var segments: [SegmentConfig] = []
    var settings = Settings()

    init(segments: [SegmentConfig] = [], settings: Settings = Settings()) {
        self.segments = segments
        self.settings = settings
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        segments = try container.decodeIfPresent([SegmentConfig].self, forKey: .segments) ?? []
        settings = try container.decodeIfPresent(Settings.self, forKey: .settings) ?? Settings()
        // A hand-edited value out of range must fail here, naming the key, not overflow a timer later.
        for segment in segments {
            if let every = segment.every, !SettingRanges.every.contains(every.seconds) {
                throw DecodingError.dataCorruptedError(
                    forKey: .segments, in: container,
                    debugDescription: "segment \(segment.name): "
                        + IntervalError(text: "\(every)", what: "every", range: SettingRanges.every).description)
            }
        }
    }

    func index(of name: String) -> Int? { segments.firstIndex { $0.name == name } }

    func segment(named name: String) -> SegmentConfig? { segments.first { $0.name == name } }
}

/// One segment as configured. A remote one is fetched from `url`; a local one lives in `local/NAME.hosts`.
struct SegmentConfig: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable { case remote, local }

    var name: String
    var kind: Kind
    var url: String?
    var every: Interval?
    var enabled: Bool
    /// Pinned keys, policy and CA (remote segments; nil when none was given).
    var trust: SegmentTrust?
    /// `--when` rules: the segment is active only where all of them hold (nil or empty: everywhere).
    var when: [SegmentRule]? = nil

    /// How the segment is described in the managed block and in `list`/`status`.
    var origin: String {
        switch kind {
        case .remote: "remote \(url ?? "")"
        case .local: "local"
        }
    }
}

/// Tunables; each has a default so an empty or older config file still works.
struct Settings: Codable, Sendable, Equatable {
    static let defaultKeepBackups = 20
    static let defaultTimeout = Interval(seconds: 10)
    static let defaultMaxBytes = 8 * 1024 * 1024
    static let defaultEvery = Interval(seconds: 300)

    var keepBackups: Int = Settings.defaultKeepBackups
    /// Shell command run after every write instead of the built-in resolver-cache flush.
    var afterApply: String?
    var timeout: Interval = Settings.defaultTimeout
    var maxBytes: Int = Settings.defaultMaxBytes

    enum CodingKeys: String, CodingKey {
        case keepBackups = "keep-backups"
        case afterApply = "after-apply"
        case timeout
        case maxBytes = "max-bytes"
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        keepBackups = try container.decodeIfPresent(Int.self, forKey: .keepBackups) ?? Settings.defaultKeepBackups
        afterApply = try container.decodeIfPresent(String.self, forKey: .afterApply)
        timeout = try container.decodeIfPresent(Interval.self, forKey: .timeout) ?? Settings.defaultTimeout
        maxBytes = try container.decodeIfPresent(Int.self, forKey: .maxBytes) ?? Settings.defaultMaxBytes
        if !SettingRanges.timeout.contains(timeout.seconds) {
            throw DecodingError.dataCorruptedError(
                forKey: .timeout, in: container,
                debugDescription: IntervalError(text: "\(timeout)", what: "timeout", range: SettingRanges.timeout)
                    .description)
        }
        for (key, value, range) in [
            (CodingKeys.maxBytes, maxBytes, SettingRanges.maxBytes),
            (CodingKeys.keepBackups, keepBackups, SettingRanges.keepBackups),
        ] where !range.contains(value) {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container,
                debugDescription: "\(key.rawValue) \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
    }
}
