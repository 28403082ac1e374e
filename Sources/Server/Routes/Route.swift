import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a request path names. Paths are only ever compared and used as dictionary keys, never joined
/// to a directory, so `..`, encoded slashes and the like simply name nothing.
enum Route: Equatable {
    case root
    case index
    case profile(Substring)
    case signature(Substring)
    case healthz
    case metrics
    case unknown

    init(path: String) {
        self.init(path: path[...])
    }

    init(path: Substring) {
        // Byte-wise: this runs on every request, and Character-based Substring operations are slow.
        let bytes = path.utf8
        let prefixCount = 10  // "/profiles/"
        let isProfiles =
            bytes.withContiguousStorageIfAvailable { raw in
                raw.count >= prefixCount && memcmp(raw.baseAddress!, "/profiles/", prefixCount) == 0
            } ?? bytes.starts(with: "/profiles/".utf8)
        if isProfiles {
            let nameStart = bytes.index(bytes.startIndex, offsetBy: prefixCount)
            if nameStart == bytes.endIndex {
                self = .index
                return
            }
            let name = path[nameStart...]
            let suffix = PublishedLayout.signatureURLSuffix.utf8
            if name.utf8.count > suffix.count, name.utf8.suffix(suffix.count).elementsEqual(suffix) {
                self = .signature(path[nameStart..<bytes.index(bytes.endIndex, offsetBy: -suffix.count)])
            } else {
                self = .profile(name)
            }
            return
        }
        switch path {
        case "/": self = .root
        case "/profiles": self = .index
        case "/healthz": self = .healthz
        case "/metrics": self = .metrics
        default: self = .unknown
        }
    }

    /// The value of the `route` label in metrics: bounded, whatever the paths requested.
    var label: Label {
        switch self {
        case .root: .root
        case .index: .index
        case .profile: .profile
        case .signature: .signature
        case .healthz: .healthz
        case .metrics: .metrics
        case .unknown: .other
        }
    }

    enum Label: String, CaseIterable, Sendable {
        case root, index, profile, signature, healthz, metrics, other

        /// Position in `allCases`, without building that array on every request.
        var position: Int {
            switch self {
            case .root: 0
            case .index: 1
            case .profile: 2
            case .signature: 3
            case .healthz: 4
            case .metrics: 5
            case .other: 6
            }
        }
    }
}
