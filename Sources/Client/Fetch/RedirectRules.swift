import Foundation
import HostsCore

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
            throw FetchError(
                reason: "more than \(Self.maxRedirects) redirects (last: HTTP \(status) from \(Self.quoted(current)))")
        }
        guard let location, !location.isEmpty,
            let target = URL(string: location, relativeTo: current)?.absoluteURL, target.host != nil
        else {
            throw FetchError(reason: "HTTP \(status) redirect without a usable Location", status: status)
        }
        let from = current.scheme?.lowercased() ?? ""
        let to = target.scheme?.lowercased() ?? ""
        guard to == "http" || to == "https" else {
            throw FetchError(
                reason: "redirect to \(VisibleText.excerpt(target.scheme ?? "?")):// refused (only http and https)")
        }
        if from == "https" && to == "http" {
            throw FetchError(reason: "redirect from https to plain http refused (\(Self.quoted(target)))")
        }
        if caFile != nil && to != "https" {
            throw FetchError(reason: "redirect to \(Self.quoted(target)) refused: a --ca-file segment stays on https")
        }
        return target
    }

    /// A URL a server chose (a Location), as a refusal quotes it: escaped and cut by ``VisibleText/excerpt(_:limit:)``,
    /// since a Location may be as long as the response head allows, and one error line must not carry it all.
    static func quoted(_ url: URL) -> String { VisibleText.excerpt(url.absoluteString, limit: quotedURLLimit) }

    /// Characters of a URL a refusal quotes: its origin and path, as a person would recognise them.
    static let quotedURLLimit = 200

    /// The token is for the origin the user configured, not for wherever its server points.
    func sendsToken(to url: URL) -> Bool { Self.origin(of: url) == Self.origin(of: original) }

    static func origin(of url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(port)"
    }
}
