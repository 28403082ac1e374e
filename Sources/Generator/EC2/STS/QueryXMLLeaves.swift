import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The text of the leaf elements of a small Query API response (STS), by local-name path from the root, e.g.
/// `AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId`. First occurrence wins; entities are not resolved.
enum QueryXMLLeaves {
    /// nil when the body is not well-formed XML or is larger than `limit` bytes.
    static func parse(_ data: Data, limit: Int = 256 * 1024) -> [String: String]? {
        guard data.count <= limit else { return nil }
        let parser = XMLParser(data: data)
        let delegate = Delegate()
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        guard parser.parse(), delegate.closedRoot else { return nil }
        return delegate.leaves
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var leaves: [String: String] = [:]
        var closedRoot = false
        private var stack: [String] = []
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(name.split(separator: ":").last.map(String.init) ?? name)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if text.utf8.count < 64 * 1024 { text += string }
        }

        func parser(
            _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
        ) {
            let path = stack.joined(separator: "/")
            if leaves[path] == nil { leaves[path] = text.trimmingCharacters(in: .whitespacesAndNewlines) }
            stack.removeLast()
            if stack.isEmpty { closedRoot = true }
            text = ""
        }
    }
}
