/// An IAM role ARN, `arn:PARTITION:iam::ACCOUNT-ID:role/PATH/NAME`, and the value rules STS applies to the
/// other AssumeRole parameters (checked early so that a typo is a config error, not an STS round trip).
struct RoleARN: Sendable, Equatable, CustomStringConvertible {
    var partition: String
    var accountID: String
    var name: String
    var description: String

    init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[3].isEmpty,
            ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]
                .contains(String(parts[1])),
            parts[4].count == 12, parts[4].allSatisfy(\.isASCII), parts[4].allSatisfy(\.isNumber),
            parts[5].hasPrefix("role/"), parts[5].count > 5, parts[5].count <= 2048,
            parts[5].allSatisfy({ $0.isASCII && !$0.isWhitespace })
        else { return nil }
        partition = String(parts[1])
        accountID = String(parts[4])
        name = String(parts[5].split(separator: "/").last ?? "")
        description = text
    }

    /// The account of an STS principal ARN (`arn:aws:sts::ACCOUNT:assumed-role/…`, `arn:aws:iam::ACCOUNT:user/…`).
    static func accountID(ofPrincipal arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[4].count == 12, parts[4].allSatisfy(\.isNumber) else {
            return nil
        }
        return String(parts[4])
    }

    static func isValidExternalID(_ text: String) -> Bool {
        (2...1224).contains(text.count)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@:/-_".contains($0)) }
    }

    static func isValidSessionName(_ text: String) -> Bool {
        (2...64).contains(text.count)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@-_".contains($0)) }
    }
}
