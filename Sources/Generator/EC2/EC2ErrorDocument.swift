import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The `<Response><Errors><Error><Code/><Message/>` document EC2 sends with 4xx/5xx statuses
/// (also accepts `<ErrorResponse><Error>`). nil when the body is not such a document (HTML, empty, JSON…).
struct EC2ErrorDocument: Sendable, Equatable {
    var code: String
    var message: String

    static func parse(_ data: Data) -> EC2ErrorDocument? {
        let parser = XMLParser(data: data)
        let delegate = Delegate()
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        guard parser.parse(), let code = delegate.code, !code.isEmpty else { return nil }
        return EC2ErrorDocument(code: code, message: delegate.message ?? "")
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var code: String?
        var message: String?
        private var stack: [String] = []
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            stack.append(name)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(
            _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
        ) {
            let inError = stack.dropLast().last == "Error"
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if inError && name == "Code" && code == nil { code = value }
            if inError && name == "Message" && message == nil { message = value }
            stack.removeLast()
            text = ""
        }
    }
}
