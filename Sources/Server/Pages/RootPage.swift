/// The HTML page at `/`: the profiles and views being served and how to subscribe a machine to one.
enum RootPage {
    /// - Parameter baseURL: scheme and authority the browser used (from the Host header), HTML-escaped here.
    static func html(snapshot: Snapshot, baseURL: String, tokensRequired: Bool) -> String {
        let base = escape(baseURL)
        var rows = ""
        for profile in snapshot.sortedProfiles {
            let name = escape(profile.name)
            let changed = profile.changedAt ?? ISO8601.format(profile.representation.lastModified)
            rows += """
                <tr><td><a href="/profiles/\(name)">\(name)</a></td><td>\(escape(profile.description ?? ""))</td>\
                <td class="n">\(profile.entries)</td><td class="n">\(profile.size)</td>\
                <td>\(escape(changed))</td><td>\(snapshot.signatures[profile.name] != nil ? "yes" : "no")</td></tr>

                """
        }
        if rows.isEmpty { rows = "<tr><td colspan=\"6\">No profiles are published yet.</td></tr>\n" }
        var views = ""
        if !snapshot.views.isEmpty {
            views = """
                <h2>Views</h2>
                <p>A view serves the profile chosen by the address a request comes from: subscribe to it and a \
                machine gets the right one wherever it is.</p>
                <table>
                <tr><th>View</th><th>Chooses</th></tr>

                """
            for view in snapshot.sortedViews {
                let name = escape(view.record.name)
                let steps = view.record.choose.map { choice in
                    let profile = escape(choice.profile)
                    guard let from = choice.from else { return "else <code>\(profile)</code>" }
                    return "<code>\(profile)</code> from \(escape(from.map(\.description).joined(separator: ", ")))"
                }
                views +=
                    "<tr><td><a href=\"/profiles/\(name)\">\(name)</a></td><td>\(steps.joined(separator: "; "))</td></tr>\n"
            }
            views += "</table>\n"
        }
        let example = snapshot.sortedProfiles.first.map { escape($0.name) } ?? "NAME"
        let tokenNote =
            tokensRequired
            ? "<p>This server requires a token: send it as <code>Authorization: Bearer TOKEN</code>.</p>\n" : ""
        var issues = ""
        if !snapshot.issues.isEmpty {
            issues = "<h2>Problems</h2>\n<ul>\n"
            for issue in snapshot.issues {
                issues += "<li><code>\(escape(issue.file)):\(issue.line)</code> \(escape(issue.reason))</li>\n"
            }
            issues += "</ul>\n<p>The previous valid version of each refused profile is still being served.</p>\n"
        }
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>PseudoDNS profiles</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
            table { border-collapse: collapse; } td, th { padding: .3rem .8rem; border-bottom: 1px solid #ddd; text-align: left; }
            td.n { text-align: right; } code, pre { background: #f4f4f4; padding: .1rem .3rem; }
            </style>
            </head>
            <body>
            <h1>PseudoDNS profiles</h1>
            <table>
            <tr><th>Profile</th><th>Description</th><th>Entries</th><th>Bytes</th><th>Last change</th><th>Signed</th></tr>
            \(rows)</table>
            \(views)\(issues)<h2>Subscribe a machine</h2>
            <p>Add a profile as a remote segment of the machine's hosts file with <code>hosts-client</code>:</p>
            <pre>sudo hosts-client add \(example) --url \(base)/profiles/\(example)
            hosts-client status</pre>
            <p>For a signed profile, pin the key your administrator gives you: \
            <code>--public-key KEY</code>. <code>sudo hosts-client restore</code> undoes the last change.</p>
            \(tokenNote)<p>Each profile is plain text at <code>\(base)/profiles/NAME</code>; \
            the list as JSON is at <a href="/profiles">/profiles</a>.</p>
            </body>
            </html>

            """
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
