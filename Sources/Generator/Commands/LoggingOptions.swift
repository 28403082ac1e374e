import ArgumentParser
import Foundation
import Logging

/// `--log-level`; logs go to stderr so that stdout stays for results.
struct LoggingOptions: ParsableArguments {
    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func bootstrap() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "hosts-generator")
    }
}

/// Prints a one-line error to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("hosts-generator: error: \(message)\n".utf8))
}
