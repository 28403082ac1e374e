import Foundation

/// Where output goes: results to stdout (text or JSON), warnings and errors to stderr.
enum Console {
    static func out(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(("hosts-client: " + text + "\n").utf8))
    }

    static func json(_ value: some Encodable) throws {
        var data = try StateStore.encoder.encode(value)
        data.append(0x0A)
        FileHandle.standardOutput.write(data)
    }
}
