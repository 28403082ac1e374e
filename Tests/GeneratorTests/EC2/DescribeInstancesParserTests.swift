import Foundation
import Testing

@testable import Generator

@Suite struct DescribeInstancesParserTests {
    /// Fields in unusual order, nested items that carry the same element names as instance fields, a namespace
    /// prefix, empty elements.
    static let page = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ec2:DescribeInstancesResponse xmlns:ec2="http://ec2.amazonaws.com/doc/2016-11-15/">
          <ec2:requestId>r-1</ec2:requestId>
          <ec2:reservationSet>
            <ec2:item>
              <ec2:reservationId>r-0001</ec2:reservationId>
              <ec2:groupSet><ec2:item><ec2:groupId>sg-1</ec2:groupId></ec2:item></ec2:groupSet>
              <ec2:instancesSet>
                <ec2:item>
                  <ec2:tagSet>
                    <ec2:item><ec2:value>Web 1</ec2:value><ec2:key>Name</ec2:key></ec2:item>
                    <ec2:item><ec2:key>Prefix</ec2:key><ec2:value>apne1a-prod</ec2:value></ec2:item>
                    <ec2:item><ec2:key>Empty</ec2:key><ec2:value/></ec2:item>
                  </ec2:tagSet>
                  <ec2:networkInterfaceSet>
                    <ec2:item>
                      <ec2:privateIpAddress>10.9.9.9</ec2:privateIpAddress>
                      <ec2:association><ec2:publicIp>198.51.100.99</ec2:publicIp></ec2:association>
                      <ec2:ipv6AddressesSet><ec2:item><ec2:ipv6Address>2001:db8::10</ec2:ipv6Address></ec2:item></ec2:ipv6AddressesSet>
                      <ec2:privateIpAddressesSet><ec2:item><ec2:privateIpAddress>10.9.9.8</ec2:privateIpAddress></ec2:item></ec2:privateIpAddressesSet>
                    </ec2:item>
                  </ec2:networkInterfaceSet>
                  <ec2:blockDeviceMapping><ec2:item><ec2:deviceName>/dev/sda1</ec2:deviceName></ec2:item></ec2:blockDeviceMapping>
                  <ec2:privateIpAddress>10.0.0.1</ec2:privateIpAddress>
                  <ec2:instanceState><ec2:code>16</ec2:code><ec2:name>running</ec2:name></ec2:instanceState>
                  <ec2:ipAddress>203.0.113.1</ec2:ipAddress>
                  <ec2:instanceId>i-0001</ec2:instanceId>
                  <ec2:launchTime>2024-01-01T00:00:00.000Z</ec2:launchTime>
                </ec2:item>
                <ec2:item>
                  <ec2:instanceId>i-0002</ec2:instanceId>
                  <ec2:ipAddress></ec2:ipAddress>
                  <ec2:privateIpAddress>  </ec2:privateIpAddress>
                  <ec2:ipv6Address/>
                  <ec2:instanceState><ec2:name>stopped</ec2:name></ec2:instanceState>
                </ec2:item>
              </ec2:instancesSet>
            </ec2:item>
          </ec2:reservationSet>
          <ec2:nextToken>tok-2</ec2:nextToken>
        </ec2:DescribeInstancesResponse>
        """

    @Test func readsInstanceFieldsAndIgnoresNestedItems() throws {
        let page = try DescribeInstancesParser.parse(Data(Self.page.utf8))
        #expect(page.nextToken == "tok-2")
        #expect(page.instances.count == 2)
        let first = page.instances[0]
        #expect(first.instanceID == "i-0001")
        #expect(first.privateIPAddress == "10.0.0.1")
        #expect(first.publicIPAddress == "203.0.113.1")
        #expect(first.ipv6Address == "2001:db8::10")
        #expect(first.state == "running")
        #expect(first.launchTime == "2024-01-01T00:00:00.000Z")
        #expect(first.tags == ["Name": "Web 1", "Prefix": "apne1a-prod", "Empty": ""])
    }

    @Test func emptyElementsMeanAbsent() throws {
        let second = try DescribeInstancesParser.parse(Data(Self.page.utf8)).instances[1]
        #expect(second == EC2Instance(instanceID: "i-0002", state: "stopped"))
    }

    @Test func emptyPageMayCarryAToken() throws {
        let xml = """
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
            <requestId>x</requestId><reservationSet/><nextToken>more</nextToken></DescribeInstancesResponse>
            """
        let page = try DescribeInstancesParser.parse(Data(xml.utf8))
        #expect(page.instances.isEmpty)
        #expect(page.nextToken == "more")
    }

    @Test func lastPageHasNoToken() throws {
        let xml = "<DescribeInstancesResponse><reservationSet/><nextToken/></DescribeInstancesResponse>"
        #expect(try DescribeInstancesParser.parse(Data(xml.utf8)).nextToken == nil)
    }

    @Test func truncatedXMLIsAnErrorWithALine() {
        let cut = String(Self.page.prefix(Self.page.count / 2))
        #expect {
            try DescribeInstancesParser.parse(Data(cut.utf8))
        } throws: { error in
            guard let error = error as? PageParseError else { return false }
            return error.reason.contains("truncated") || error.reason.contains("malformed XML")
        }
    }

    @Test func malformedXMLIsAnError() {
        let broken = Self.page.replacingOccurrences(of: "</ec2:instanceId>", with: "</ec2:instanceID>")
        #expect {
            try DescribeInstancesParser.parse(Data(broken.utf8))
        } throws: { error in
            (error as? PageParseError)?.reason.contains("malformed XML") == true
        }
    }

    @Test func otherDocumentsAreErrors() {
        #expect(throws: PageParseError.self) {
            try DescribeInstancesParser.parse(Data("<html><body>Oops</body></html>".utf8))
        }
        #expect(throws: PageParseError.self) { try DescribeInstancesParser.parse(Data()) }
    }

    @Test func errorDocumentIsRead() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>AuthFailure</Code><Message>AWS was not able to validate the provided access credentials</Message></Error></Errors><RequestID>1</RequestID></Response>
            """
        let document = EC2ErrorDocument.parse(Data(xml.utf8))
        #expect(document?.code == "AuthFailure")
        #expect(document?.message.hasPrefix("AWS was not able") == true)
        #expect(EC2ErrorDocument.parse(Data("<html><h1>500</h1></html>".utf8)) == nil)
    }
}
