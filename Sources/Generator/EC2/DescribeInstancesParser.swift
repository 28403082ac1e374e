import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// A page that is not a well-formed DescribeInstances response.
struct PageParseError: Error, CustomStringConvertible, Sendable {
    var line: Int
    var reason: String
    var description: String { line > 0 ? "line \(line): \(reason)" : reason }
}

/// Streaming (SAX) parse of a DescribeInstances response with `XMLParser`.
///
/// Elements are matched by local name, in any order and any namespace. Context decides what an element is:
/// an instance is an `item` directly inside `instancesSet`; its fields are its direct children, so the `item`s of
/// `tagSet`, `groupSet`, `networkInterfaceSet` or `blockDeviceMapping` (which also hold `privateIpAddress` and
/// friends) are never taken for instance fields.
enum DescribeInstancesParser {
    static func parse(_ data: Data) throws(PageParseError) -> DescribeInstancesPage {
        // From a stream, libxml2 is fed small chunks; given the whole `Data` it would first copy the page into its
        // own growing input buffer, and those multi-megabyte blocks fragment the heap across pages.
        let parser = XMLParser(stream: InputStream(data: data))
        let delegate = Delegate()
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        let ok = parser.parse()
        if let failure = delegate.failure { throw failure }
        guard ok else {
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown error"
            throw PageParseError(line: parser.lineNumber, reason: "malformed XML (\(reason))")
        }
        guard delegate.sawRoot else {
            throw PageParseError(line: 0, reason: "empty document")
        }
        // libxml2's push parser (under XMLParser on Linux) can report success for a document cut short.
        guard delegate.closedRoot else {
            let open = delegate.openElements.joined(separator: ">")
            throw PageParseError(line: parser.lineNumber, reason: "truncated document: it ends inside <\(open)>")
        }
        return DescribeInstancesPage(instances: delegate.instances, nextToken: delegate.nextToken)
    }

    /// What the text of the element being read is for.
    private enum Field {
        case nextToken, instanceID, privateIP, publicIP, ipv6, launchTime, state, tagKey, tagValue, interfaceIPv6
    }

    private final class Delegate: NSObject, XMLParserDelegate {
        var instances: [EC2Instance] = []
        var nextToken: String?
        var failure: PageParseError?
        var sawRoot = false
        var closedRoot = false
        var openElements: [String] { stack }

        private var stack: [String] = []
        private var instanceDepth: Int?
        private var current: EC2Instance?
        private var interfaceIPv6: String?
        private var tagKey: String?
        private var tagValue: String?
        private var field: Field?
        private var text = ""

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let local = Self.localName(name)
            if stack.isEmpty {
                sawRoot = true
                if local != "DescribeInstancesResponse" {
                    failure = PageParseError(
                        line: parser.lineNumber, reason: "expected DescribeInstancesResponse, got <\(local)>")
                    parser.abortParsing()
                    return
                }
            }
            let parent = stack.last
            stack.append(local)
            field = nil
            guard let base = instanceDepth else {
                if local == "item" && parent == "instancesSet" {
                    instanceDepth = stack.count
                    current = EC2Instance(instanceID: "")
                    interfaceIPv6 = nil
                } else if local == "nextToken" && stack.count == 2 {
                    begin(.nextToken)
                }
                return
            }
            let depth = stack.count - base  // 1 = direct child of the instance item
            switch (depth, local) {
            case (1, "instanceId"): begin(.instanceID)
            case (1, "privateIpAddress"): begin(.privateIP)
            case (1, "ipAddress"): begin(.publicIP)
            case (1, "ipv6Address"): begin(.ipv6)
            case (1, "launchTime"): begin(.launchTime)
            case (2, "name") where parent == "instanceState": begin(.state)
            case (2, "item") where parent == "tagSet":
                tagKey = nil
                tagValue = nil
            case (3, "key") where stack[base] == "tagSet": begin(.tagKey)
            case (3, "value") where stack[base] == "tagSet": begin(.tagValue)
            case (5, "ipv6Address")
            where stack[base] == "networkInterfaceSet" && parent == "item"
                && stack[base + 2] == "ipv6AddressesSet":
                begin(.interfaceIPv6)
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if field != nil { text += string }
        }

        func parser(
            _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
        ) {
            let value = finish()
            defer {
                stack.removeLast()
                if stack.isEmpty { closedRoot = true }
            }
            guard let base = instanceDepth else {
                if let (field, value) = value, field == .nextToken { nextToken = value }
                return
            }
            if let (field, value) = value {
                switch field {
                case .instanceID: current?.instanceID = value ?? ""
                case .privateIP: current?.privateIPAddress = value
                case .publicIP: current?.publicIPAddress = value
                case .ipv6: current?.ipv6Address = value
                case .launchTime: current?.launchTime = value
                case .state: current?.state = value
                case .tagKey: tagKey = value
                case .tagValue: tagValue = value
                case .interfaceIPv6: if interfaceIPv6 == nil { interfaceIPv6 = value }
                case .nextToken: break
                }
            }
            let depth = stack.count - base
            if depth == 2 && Self.localName(name) == "item" && stack[base] == "tagSet" {
                // A tag with an empty value is still a tag; one without a key is nothing.
                if let key = tagKey { current?.tags[key] = tagValue ?? "" }
            } else if depth == 0 {
                if var instance = current {
                    if instance.ipv6Address == nil { instance.ipv6Address = interfaceIPv6 }
                    if instance.instanceID.isEmpty {
                        failure = PageParseError(line: parser.lineNumber, reason: "instance without instanceId")
                        parser.abortParsing()
                    } else {
                        instances.append(instance)
                    }
                }
                current = nil
                instanceDepth = nil
            }
        }

        private func begin(_ field: Field) {
            self.field = field
            text = ""
        }

        /// The field just closed and its trimmed text (nil when empty).
        private func finish() -> (Field, String?)? {
            guard let field else { return nil }
            self.field = nil
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            text = ""
            return (field, trimmed.isEmpty ? nil : trimmed)
        }

        /// Without namespace processing a name can arrive as `prefix:local`.
        /// Searched in the UTF-8 bytes: `String.lastIndex(of:)` walks Characters (grapheme breaking), and for a
        /// million element names a sweep of 10,000 instances made it 28% of the generator's instructions.
        private static func localName(_ name: String) -> String {
            let bytes = name.utf8
            guard let colon = bytes.lastIndex(of: UInt8(ascii: ":")) else { return name }
            return String(name[bytes.index(after: colon)...])
        }
    }
}
