import Foundation
import Testing

@testable import Generator

/// The published AWS SigV4 test-suite vectors (credentials AKIDEXAMPLE, us-east-1, service "service",
/// 2015-08-30T12:36:00Z).
@Suite struct SigV4SignerTests {
    let keys = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    let date = Date(timeIntervalSince1970: 1_440_938_160)

    func signer(_ credentials: AWSCredentials) -> SigV4Signer {
        SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
    }

    @Test func getVanilla() {
        let request = SignableRequest(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")])
        let signed = signer(keys).sign(request, at: date)
        #expect(
            signed.canonicalRequest
                == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
                + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date, "
                + "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func getVanillaWithSessionToken() {
        var credentials = keys
        credentials.sessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
        let request = SignableRequest(method: "GET", path: "/", headers: [("Host", "example.amazonaws.com")])
        let signed = signer(credentials).sign(request, at: date)
        #expect(
            signed.authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                + "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                + "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
        #expect(signed.headers.contains { $0.0 == "X-Amz-Security-Token" && $0.1 == credentials.sessionToken })
    }

    @Test func postXWWWFormURLEncoded() {
        let request = SignableRequest(
            method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Host", "example.amazonaws.com")],
            body: Array("Param1=value1".utf8))
        let signed = signer(keys).sign(request, at: date)
        #expect(signed.signature == "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")
        #expect(signed.authorization.contains("SignedHeaders=content-type;host;x-amz-date,"))
    }

    @Test func queryStringIsSortedAndEncoded() {
        #expect(SigV4Signer.canonicalQuery([("b", "2"), ("a", "x y"), ("a", "1")]) == "a=1&a=x%20y&b=2")
    }

    @Test func headerValuesAreTrimmedAndCollapsed() {
        let headers = SigV4Signer.canonicalHeaders([("My-Header", "  a   b  "), ("my-header", "c")])
        #expect(headers.count == 1)
        #expect(headers[0] == ("my-header", "a b,c"))
    }

    @Test func formBodyUsesAWSPercentEncoding() {
        let body = AWSPercentEncoding.formBody([("Filter.1.Value.1", "a b+c/d=e~f_g")])
        #expect(body == "Filter.1.Value.1=a%20b%2Bc%2Fd%3De~f_g")
    }
}
