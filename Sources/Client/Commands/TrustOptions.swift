import ArgumentParser
import Foundation
import HostsCore

/// The options of `add` and `trust` that say what a remote segment accepts.
struct TrustOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Pin an Ed25519 public key (base64, as printed by hosts-generator keygen); repeat or comma-separate "
                + "to accept several during a key rotation.", valueName: "key"))
    var publicKey: [String] = []

    @Option(help: ArgumentHelp("Pin the public key(s) in this file, one per line.", valueName: "file"))
    var publicKeyFile: [String] = []

    @Option(
        help: ArgumentHelp(
            "Profile name the signature must carry (default: the URL's last path component); comma-separate several "
                + "for a server-side view, which serves one of them depending on where the machine is.",
            valueName: "names"))
    var profileName: String?

    @Option(help: "Refuse a signature older than this (e.g. 24h, 2d); default 24h.")
    var maxAge: String?

    @Option(help: ArgumentHelp("Only these host names, e.g. '*.corp.example,*.internal'.", valueName: "patterns"))
    var allowNames: String?

    @Option(help: ArgumentHelp("Only addresses in these ranges, e.g. '10.0.0.0/8,fd00::/8'.", valueName: "cidrs"))
    var allowAddresses: String?

    @Option(
        help: ArgumentHelp(
            "PEM bundle of the private CA that issued the server's certificate (https only).",
            valueName: "file"))
    var caFile: String?

    @Option(
        help: ArgumentHelp(
            "File holding the bearer token the server requires (hosts-server --token-file); read at every fetch.",
            valueName: "file"))
    var tokenFile: String?

    @Flag(
        inversion: .prefixedNo,
        help: ArgumentHelp(
            "Skip lines that are not hosts entries (third-party lists) instead of refusing the whole list; "
                + "status shows how many and which. Not with --public-key."))
    var lenient: Bool?

    var isEmpty: Bool {
        publicKey.isEmpty && publicKeyFile.isEmpty && profileName == nil && maxAge == nil && allowNames == nil
            && allowAddresses == nil && caFile == nil && tokenFile == nil && lenient == nil
    }

    /// Every key given, parsed (so a typo fails here, not at the next sync).
    func keys() throws -> [String] {
        var texts = publicKey.flatMap { $0.split(separator: ",").map(String.init) }
        for path in publicKeyFile {
            let bytes: [UInt8]
            do {
                bytes = try TrustedFile.read(path, .publicKeyFile)
            } catch {
                throw ClientError.file(error)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            texts += text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("#") }
        }
        var keys: [String] = []
        for text in texts.map({ $0.trimmingCharacters(in: .whitespaces) }) where !text.isEmpty {
            do {
                let key = try VerifyingKey(base64: text).base64
                if !keys.contains(key) { keys.append(key) }
            } catch {
                throw ClientError.invalidArguments("--public-key: \(error.description)")
            }
        }
        return keys
    }

    /// `trust` with these options applied: given options replace what was there, others are kept.
    func applied(to existing: SegmentTrust?, url: String) throws -> SegmentTrust? {
        var trust = existing ?? SegmentTrust()
        let keys = try keys()
        if !keys.isEmpty { trust.publicKeys = keys }
        if let profileName {
            var names: [String] = []
            for name in Self.items(profileName) where !names.contains(name) {
                guard ProfileName.isValid(name) else {
                    throw ClientError.invalidArguments("--profile-name: '\(name)' is not a valid profile name")
                }
                names.append(name)
            }
            guard !names.isEmpty else { throw ClientError.invalidArguments("--profile-name: no profile name given") }
            trust.profiles = names
        }
        if let maxAge {
            trust.maxAge = try SettingRanges.maxAge(maxAge)
        }
        if let allowNames { trust.allowNames = Self.items(allowNames) }
        if let allowAddresses { trust.allowAddresses = Self.items(allowAddresses) }
        do {
            _ = try trust.policy()
        } catch {
            throw ClientError.invalidArguments(error.description)
        }
        if let caFile {
            guard url.lowercased().hasPrefix("https://") else {
                throw ClientError.invalidArguments("--ca-file needs an https:// URL, not \(url)")
            }
            let path = URL(fileURLWithPath: caFile).standardizedFileURL.path
            // Read (the trusted way) and parsed now, so a file root must not trust is refused here, not at a sync.
            do {
                _ = try CABundle.load(path)
            } catch {
                throw Self.problem(error, option: "--ca-file")
            }
            trust.caFile = path
        }
        if let tokenFile {
            let path = URL(fileURLWithPath: tokenFile).standardizedFileURL.path
            var probe = SegmentTrust()
            probe.tokenFile = path
            do {
                _ = try probe.bearerToken()
            } catch {
                throw Self.problem(error, option: "--token-file")
            }
            trust.tokenFile = path
        }
        if (!trust.profiles.isEmpty || trust.maxAge != nil) && trust.publicKeys.isEmpty {
            throw ClientError.invalidArguments("--profile-name and --max-age only go with --public-key")
        }
        if let lenient { trust.lenient = lenient }
        if trust.lenient && trust.isPinned {
            throw ClientError.invalidArguments(
                "--lenient is for third-party lists: a segment with pinned keys is signed by its generator and always "
                    + "parsed strictly (drop --lenient, or --unpin first)")
        }
        return trust == SegmentTrust() ? nil : trust
    }

    /// A refused file keeps its own error and a missing, unreadable or empty one names the option, both exit 78
    /// (``SegmentFailure/refused``); anything else is a bad argument naming the option.
    private static func problem(_ failure: SegmentFailure, option: String) -> ClientError {
        if case .file(let error) = failure, error.refused { return .file(error) }
        if failure.refused { return .credential("\(option): \(failure.description)") }
        return .invalidArguments("\(option): \(failure.description)")
    }

    private static func items(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
