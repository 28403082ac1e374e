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
