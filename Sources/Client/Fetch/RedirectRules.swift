import Foundation

/// What a remote segment's fetch may follow: at most five redirects, never from https down to http, never to
/// another scheme; the bearer token goes only to the segment's own origin (scheme, host and port), so a redirect
/// to a CDN or an attacker's host never sees it. A `--ca-file` segment stays on https, so every hop is checked
/// against its CA alone.
struct RedirectRules {
    static let maxRedirects = 5
    static let statuses: Set<Int> = [301, 302, 303, 307, 308]

    /// The segment's configured URL.
    var original: URL
    var caFile: String?

    /// The URL a redirect from `current` leads to, or why it is not followed.
    func next(from current: URL, status: Int, location: String?, followed: Int) throws(FetchError) -> URL {
        guard followed < Self.maxRedirects else {
            throw FetchError(reason: "more than \(Self.maxRedirects) redirects (last: HTTP \(status) from \(current))")
        }
        guard let location, !location.isEmpty,
            let target = URL(string: location, relativeTo: current)?.absoluteURL, target.host != nil
        else {
            throw FetchError(reason: "HTTP \(status) redirect without a usable Location", status: status)
        }
        let from = current.scheme?.lowercased() ?? ""
        let to = target.scheme?.lowercased() ?? ""
        guard to == "http" || to == "https" else {
            throw FetchError(reason: "redirect to \(target.scheme ?? "?"):// refused (only http and https)")
        }
        if from == "https" && to == "http" {
            throw FetchError(reason: "redirect from https to plain http refused (\(target))")
        }
        if caFile != nil && to != "https" {
            throw FetchError(reason: "redirect to \(target) refused: a --ca-file segment stays on https")
        }
        return target
    }

    /// The token is for the origin the user configured, not for wherever its server points.
    func sendsToken(to url: URL) -> Bool { Self.origin(of: url) == Self.origin(of: original) }

    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }
}
