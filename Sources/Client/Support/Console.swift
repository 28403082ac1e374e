import Foundation

/// Where output goes: results to stdout (text or JSON), warnings and errors to stderr.
///
/// Every line passes through `Redaction`: a URL's password or token never reaches a terminal or a log, whichever
/// message (an error from a fetch, a status line) carries it.
enum Console {
    static func out(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((Redaction.urls(in: text) + terminator).utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(("hosts-client: " + Redaction.urls(in: text) + "\n").utf8))
    }

    static func json(_ value: some Encodable) throws {
        let data = try StateStore.encoder.encode(value)
        FileHandle.standardOutput.write(Data((Redaction.urls(in: String(decoding: data, as: UTF8.self)) + "\n").utf8))
    }
}
