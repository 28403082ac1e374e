import Testing

@testable import Server

@Suite struct HostFieldTests {
    @Test(arguments: [
        ("127.0.0.1:18570", true), ("db.corp", true), ("", true), ("a-b_c~d.example:80", true), ("x%41y", true),
        ("[::1]:8080", true), ("[v1.fe]", true), ("a b", false), ("a/b", false), ("a@b", false), ("x%4", false),
        ("x%zz", false), ("host:8o", false), ("[::1", false), ("\u{e9}t\u{e9}", false), ("a\"b", false),
    ])
    func valuesAreJudgedByTheirBytes(_ value: String, _ valid: Bool) {
        let bytes = Array(value.utf8)
        #expect(bytes.withUnsafeBufferPointer { HostField.isValid(bytes: $0) } == valid, "\(value)")
    }
}
