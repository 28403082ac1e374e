import Dispatch
import Foundation
import Logging

/// Runs passes every `interval` seconds plus a random jitter (up to 10%, so that many generators do not hit the
/// API in step) until SIGTERM or SIGINT. A stop request never cuts a pass short: the pass in progress finishes,
/// then the loop ends.
struct RepeatingRunner: Sendable {
    var interval: Double
    var logger: Logger

    /// Returns whether the last pass succeeded.
    func run(_ pass: @escaping @Sendable () async -> Bool) async -> Bool {
        let loop = Task<Bool, Never> {
            var lastSucceeded = false
            while !Task.isCancelled {
                // An unstructured task does not inherit the loop's cancellation: the pass runs to its end.
                lastSucceeded = await Task { await pass() }.value
                if Task.isCancelled { break }
                let delay = interval + Double.random(in: 0...(interval * 0.1))
                logger.debug("next pass", metadata: ["in": "\(String(format: "%.1f", delay))s"])
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            }
            return lastSucceeded
        }
        let sources = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [logger] in
                logger.notice("stop requested; finishing the pass in progress", metadata: ["signal": "\(number)"])
                loop.cancel()
            }
            source.resume()
            return source
        }
        let result = await loop.value
        for source in sources { source.cancel() }
        return result
    }
}
