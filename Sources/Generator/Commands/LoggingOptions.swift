import ArgumentParser
import Foundation
import Logging

/// `--log-level` and `--log-format`; logs go to stderr so that stdout stays for results.
struct LoggingOptions: ParsableArguments {
    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(help: "text (the default) or json: one JSON object per line, for journald or a log shipper.")
    var logFormat: String = "text"

    func bootstrap() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("unknown log level '\(logLevel)'")
        }
        guard ["text", "json"].contains(logFormat) else {
            throw ValidationError("unknown log format '\(logFormat)' (text or json)")
        }
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "hosts-generator")
    }

    /// A one-line error: `hosts-generator: error: …` in text, an `error` record in JSON (so that every stderr line
    /// parses).
    static func reportError(json: Bool, _ message: String, logger: Logger) {
        if json {
            logger.error("\(message)")
        } else {
            printError(message)
        }
    }
}

/// Prints a one-line error to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("hosts-generator: error: \(message)\n".utf8))
}
