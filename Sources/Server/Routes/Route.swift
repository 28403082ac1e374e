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
        // Over the bytes in place, once: this runs on every request, and Character-based (even UTF8View
        // index) operations on a Substring cost more than the rest of routing.
        let prefix = "/profiles/".utf8.count
        let suffix = PublishedLayout.signatureURLSuffix.utf8.count
        let shape = path.utf8.withContiguousStorageIfAvailable { bytes -> Shape in
            guard bytes.count >= prefix, memcmp(bytes.baseAddress!, "/profiles/", prefix) == 0 else { return .other }
            if bytes.count == prefix { return .index }
            let name = bytes.count - prefix
            let isSignature =
                name > suffix
                && PublishedLayout.signatureURLSuffix.utf8.elementsEqual(bytes[(bytes.count - suffix)...])
            return isSignature ? .signature(nameBytes: name - suffix) : .profile
        }
        switch shape ?? Self.shape(of: path, prefix: prefix, suffix: suffix) {
        case .index:
            self = .index
        case .profile:
            self = .profile(Substring(path.utf8.dropFirst(prefix)))
        case .signature(let count):
            self = .signature(Substring(path.utf8.dropFirst(prefix).prefix(count)))
        case .other:
            switch path {
            case "/": self = .root
            case "/profiles": self = .index
            case "/healthz": self = .healthz
            case "/metrics": self = .metrics
            default: self = .unknown
            }
        }
    }

    private enum Shape {
        case index
        case profile
        case signature(nameBytes: Int)
        case other
    }

    /// The same decision for a path whose bytes are not contiguous (not one the server makes).
    private static func shape(of path: Substring, prefix: Int, suffix: Int) -> Shape {
        let bytes = Array(path.utf8)
        guard bytes.starts(with: "/profiles/".utf8) else { return .other }
        if bytes.count == prefix { return .index }
        let name = bytes.count - prefix
        let isSignature =
            name > suffix && PublishedLayout.signatureURLSuffix.utf8.elementsEqual(bytes[(bytes.count - suffix)...])
        return isSignature ? .signature(nameBytes: name - suffix) : .profile
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
