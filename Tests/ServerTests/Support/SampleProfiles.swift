/// Profile contents used across the tests.
enum SampleProfiles {
    static let office = """
        10.0.0.1    web1
        10.0.0.2    web2 web2.prod
        # a comment
        2001:db8::1 v6host

        """

    static let officeV2 = """
        10.0.0.1    web1
        10.0.0.3    web3

        """

    /// Line 2 is not a hosts entry.
    static let broken = """
        10.0.0.1 ok
        this is not a hosts line !
        """

    /// `count` entries, numbered, as a generator would write them.
    static func large(_ count: Int, tag: String = "") -> String {
        (0..<count).map { "10.\($0 / 65536 % 256).\($0 / 256 % 256).\($0 % 256)\thost\($0)\(tag).example.internal\n" }
            .joined()
    }
}
