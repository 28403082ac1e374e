/// An AWS partition as botocore's `partitions.json` describes it: which regions belong to it and the DNS suffixes
/// of its endpoints. Copied from botocore 1.43 (`botocore/data/partitions.json`); `EndpointTableTests` compares the
/// hostnames made from it with botocore's own endpoint rules.
struct AWSPartition: Sendable, Equatable {
    var id: String
    var dnsSuffix: String
    var dualStackDnsSuffix: String
    var supportsFIPS = true
    var supportsDualStack = true
    /// The regions botocore lists for the partition (membership is decided by this list first, then the pattern).
    var regions: Set<String>
    /// The shape of the partition's region names (botocore's `regionRegex`), as a matcher.
    var matches: @Sendable (String) -> Bool

    static func == (lhs: AWSPartition, rhs: AWSPartition) -> Bool { lhs.id == rhs.id }

    static let all: [AWSPartition] = [
        AWSPartition(
            id: "aws", dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws",
            regions: [
                "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
                "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
                "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "aws-global", "ca-central-1", "ca-west-1",
                "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
                "eu-west-3", "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1",
                "us-east-2", "us-west-1", "us-west-2",
            ],
            matches: { AWSPartition.shape($0, first: ["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"]) }),
        AWSPartition(
            id: "aws-cn", dnsSuffix: "amazonaws.com.cn", dualStackDnsSuffix: "api.amazonwebservices.com.cn",
            regions: ["aws-cn-global", "cn-north-1", "cn-northwest-1"],
            matches: { AWSPartition.shape($0, first: ["cn"]) }),
        AWSPartition(
            id: "aws-eusc", dnsSuffix: "amazonaws.eu", dualStackDnsSuffix: "api.amazonwebservices.eu",
            regions: ["eusc-de-east-1"], matches: { AWSPartition.shape($0, first: ["eusc"], second: ["de"]) }),
        AWSPartition(
            id: "aws-iso", dnsSuffix: "c2s.ic.gov", dualStackDnsSuffix: "api.aws.ic.gov",
            regions: ["aws-iso-global", "us-iso-east-1", "us-iso-west-1"],
            matches: { AWSPartition.shape($0, first: ["us"], second: ["iso"]) }),
        AWSPartition(
            id: "aws-iso-b", dnsSuffix: "sc2s.sgov.gov", dualStackDnsSuffix: "api.aws.scloud",
            regions: ["aws-iso-b-global", "us-isob-east-1", "us-isob-west-1"],
            matches: { AWSPartition.shape($0, first: ["us"], second: ["isob"]) }),
        AWSPartition(
            id: "aws-iso-e", dnsSuffix: "cloud.adc-e.uk", dualStackDnsSuffix: "api.cloud-aws.adc-e.uk",
            regions: ["aws-iso-e-global", "eu-isoe-west-1"],
            matches: { AWSPartition.shape($0, first: ["eu"], second: ["isoe"]) }),
        AWSPartition(
            id: "aws-iso-f", dnsSuffix: "csp.hci.ic.gov", dualStackDnsSuffix: "api.aws.hci.ic.gov",
            regions: ["aws-iso-f-global", "us-isof-east-1", "us-isof-south-1"],
            matches: { AWSPartition.shape($0, first: ["us"], second: ["isof"]) }),
        AWSPartition(
            id: "aws-us-gov", dnsSuffix: "amazonaws.com", dualStackDnsSuffix: "api.aws",
            regions: ["aws-us-gov-global", "us-gov-east-1", "us-gov-west-1"],
            matches: { AWSPartition.shape($0, first: ["us"], second: ["gov"]) }),
    ]

    /// The partition of `region`, as botocore's `aws.partition` decides it: the first partition (in file order)
    /// that lists the region or whose pattern matches it, else `aws`.
    static func of(region: String) -> AWSPartition {
        all.first { $0.regions.contains(region) || $0.matches(region) } ?? all[0]
    }

    /// `^FIRST\-\w+\-\d+$`, or with `second`, `^FIRST\-SECOND\-\w+\-\d+$` (the shapes of botocore's patterns).
    /// `\w` is a word character (letters, digits, underscore), `\d` a digit; `\w+` is greedy but may not swallow
    /// the last `-\d+`.
    fileprivate static func shape(_ region: String, first: Set<String>, second: Set<String>? = nil) -> Bool {
        var parts = region.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, first.contains(parts[0]) else { return false }
        parts.removeFirst()
        if let second {
            guard second.contains(parts[0]) else { return false }
            parts.removeFirst()
        }
        guard parts.count >= 2, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isASCIIDigit) else {
            return false
        }
        // `\w+` between: one or more word characters; a "-" in it is not a word character, so exactly one part.
        let middle = parts.dropLast()
        return middle.count == 1 && !middle[middle.startIndex].isEmpty
            && middle[middle.startIndex].allSatisfy { $0.isASCIIWord }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
    fileprivate var isASCIIWord: Bool { isASCII && (isLetter || isNumber || self == "_") }
}
