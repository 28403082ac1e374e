import Testing

@testable import Client

@Suite struct RedactionTests {
    @Test(arguments: [
        ("https://hosts.example/profiles/office", "https://hosts.example/profiles/office"),
        ("https://user:pass@hosts.example/p", "https://***@hosts.example/p"),
        ("https://token@hosts.example:8443/p?x", "https://***@hosts.example:8443/p?***"),
        ("http://h/p?access_token=abc&v=2&flag=", "http://h/p?access_token=***&v=***&flag="),
        ("http://h/p#frag", "http://h/p#***"),
        ("http://a@b@h/p", "http://***@h/p"),
        ("not a url", "not a url"),
    ])
    func urlsAreRedacted(_ url: String, _ expected: String) {
        #expect(Redaction.url(url) == expected)
    }

    @Test func urlsInTextAreFoundAndRedacted() {
        #expect(
            Redaction.urls(in: "cannot fetch https://u:p@h/x?t=1: timed out (see http://h/ok).")
                == "cannot fetch https://***@h/x?t=***: timed out (see http://h/ok).")
        #expect(Redaction.urls(in: #"{"url" : "http://u:p@h/x"}"#) == #"{"url" : "http://***@h/x"}"#)
        #expect(Redaction.urls(in: "no link here") == "no link here")
        #expect(Redaction.urls(in: "a ://b c") == "a ://b c")
    }
}
