import Testing

@testable import Server

/// The access-log line is put together in place (literals, escaped runs, digits written backwards): its
/// numbers and fields come out as the values they stand for, at every length.
@Suite struct AccessLogLineTests {
    private func line(status: Int, bytes: Int, micros: Int64, path: Substring = "/p", format: AccessLogFormat = .text)
        -> String
    {
        var buffer: [UInt8] = []
        AccessLogLine.append(
            to: &buffer, format: format, time: Array("T".utf8), remoteText: Array("10.0.0.5:1".utf8), method: "GET",
            path: path, status: status, bytes: bytes, micros: micros)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test(arguments: [0, 1, 9, 10, 99, 100, 304, 1_000_000, 57_560, Int(Int32.max), Int.max, -1, -10, Int.min])
    func numbersAreWrittenAsTheirDecimal(_ value: Int) {
        #expect(
            line(status: 200, bytes: value, micros: Int64(value))
                == "time=T remote=10.0.0.5:1 method=GET path=/p status=200 bytes=\(value) duration_us=\(value)\n")
    }

    /// The path's escaping, found eight bytes at a time, agrees with the byte rule for every ASCII byte and a
    /// few non-ASCII characters at every offset of paths around the word size, in both formats.
    @Test func everyByteAtEveryOffsetIsEscapedAsTheByteRuleSays() {
        func reference(_ path: String, json: Bool) -> String {
            var out = ""
            for byte in path.utf8 {
                if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
                    out.append(Character(Unicode.Scalar(byte)))
                } else if json, byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    out += "\\" + String(Character(Unicode.Scalar(byte)))
                } else {
                    let hex = String(byte, radix: 16)
                    out += (json ? "\\u00" : "\\x") + (hex.count == 1 ? "0" + hex : hex)
                }
            }
            return out
        }
        let specials = (0..<0x80).map { String(Character(Unicode.Scalar(UInt8($0)))) } + ["é", "\u{202E}", "€"]
        var disagreements: [String] = []
        for length in [1, 2, 3, 7, 8, 9, 15, 16, 17, 24] {
            for offset in 0..<length {
                for special in specials {
                    var characters = Array(repeating: "a", count: length)
                    characters[offset] = special
                    let path = characters.joined()
                    for format in [AccessLogFormat.text, .json] {
                        let json = format == .json
                        let text = line(status: 200, bytes: 1, micros: 1, path: path[...], format: format)
                        let expected =
                            json
                            ? #""path":""# + reference(path, json: true) + #"","#
                            : " path=" + reference(path, json: false) + " status="
                        if !text.contains(expected) { disagreements.append("\(Array(path.utf8)) \(format)") }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
    }

    /// Escapes between plain runs, at the start and the end, and a long path (beyond any fixed buffer).
    @Test func escapedRunsKeepTheirPlace() {
        #expect(line(status: 1, bytes: 2, micros: 3, path: "\"/a b\"").contains(#"path=\x22/a\x20b\x22 status=1"#))
        let long = String(repeating: "/seg ", count: 2_000)
        let text = line(status: 404, bytes: 0, micros: 5, path: long[...])
        #expect(text.contains(" path=" + String(repeating: #"/seg\x20"#, count: 2_000) + " status=404"))
        let json = line(status: 404, bytes: 0, micros: 5, path: "/q\"\\", format: .json)
        #expect(
            json
                == #"{"time":"T","remote":"10.0.0.5:1","method":"GET","path":"/q\"\\","status":404,"bytes":0,"duration_us":5}"#
                + "\n")
    }
}
