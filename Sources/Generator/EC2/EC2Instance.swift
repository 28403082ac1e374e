/// The fields of one EC2 instance the generator uses. Empty XML elements are nil, never "".
struct EC2Instance: Sendable, Equatable {
    var instanceID: String
    var state: String?
    var privateIPAddress: String?
    var publicIPAddress: String?
    /// The instance's `ipv6Address`, else the first IPv6 address of its network interfaces (document order).
    var ipv6Address: String?
    var launchTime: String?
    var tags: [String: String] = [:]

    init(
        instanceID: String, state: String? = nil, privateIPAddress: String? = nil, publicIPAddress: String? = nil,
        ipv6Address: String? = nil, launchTime: String? = nil, tags: [String: String] = [:]
    ) {
        self.instanceID = instanceID
        self.state = state
        self.privateIPAddress = privateIPAddress
        self.publicIPAddress = publicIPAddress
        self.ipv6Address = ipv6Address
        self.launchTime = launchTime
        self.tags = tags
    }
}

/// One page of DescribeInstances.
struct DescribeInstancesPage: Sendable, Equatable {
    var instances: [EC2Instance]
    /// Present while more pages follow (pages may be short or even empty and still carry a token).
    var nextToken: String?
}
