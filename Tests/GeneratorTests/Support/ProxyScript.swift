import Foundation
import TestSupport

/// What a scripted proxy in front of moto does in the current phase of a test. Shared with the server's threads.
final class ProxyScript: @unchecked Sendable {
    enum Mode {
        /// Pass everything to moto.
        case forward
        /// Answer the first `count` requests of the phase with `reply`, then forward.
        case failFirst(Int, ScriptedResponse)
        /// Answer every request with `reply`.
        case always(ScriptedResponse)
        /// Answer request n of the phase with replies[n] (forward once they run out).
        case sequence([ScriptedResponse])
    }

    private let lock = NSLock()
    private var mode: Mode = .forward
    private var phaseRequests = 0
    let motoPort: Int

    init(motoPort: Int) { self.motoPort = motoPort }

    /// Starts a new phase; returns nothing. Requests of the phase are counted from 0.
    func set(_ mode: Mode) {
        lock.lock()
        self.mode = mode
        phaseRequests = 0
        lock.unlock()
    }

    var requestsInPhase: Int {
        lock.lock()
        defer { lock.unlock() }
        return phaseRequests
    }

    func reply(to request: ScriptedRequest) -> ScriptedResponse {
        lock.lock()
        let n = phaseRequests
        phaseRequests += 1
        let mode = self.mode
        lock.unlock()
        switch mode {
        case .forward: return .forward(to: motoPort)
        case .failFirst(let count, let reply): return n < count ? reply : .forward(to: motoPort)
        case .always(let reply): return reply
        case .sequence(let replies): return n < replies.count ? replies[n] : .forward(to: motoPort)
        }
    }
}

enum CannedEC2 {
    static func error(_ code: String, _ message: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <Response><Errors><Error><Code>\(code)</Code><Message>\(message)</Message></Error></Errors><RequestID>r</RequestID></Response>
        """
    }

    static func page(_ instances: [(id: String, name: String, prefix: String, ip: String)], token: String?) -> String {
        var items = ""
        for instance in instances {
            items += """
                <item><instanceId>\(instance.id)</instanceId><instanceState><code>16</code><name>running</name></instanceState>
                <privateIpAddress>\(instance.ip)</privateIpAddress><ipAddress>\(instance.ip)</ipAddress>
                <tagSet><item><key>Name</key><value>\(instance.name)</value></item>
                <item><key>Prefix</key><value>\(instance.prefix)</value></item></tagSet></item>
                """
        }
        let reservations =
            items.isEmpty
            ? "<reservationSet/>"
            : "<reservationSet><item><instancesSet>\(items)</instancesSet></item></reservationSet>"
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>
            \(reservations)\(token.map { "<nextToken>\($0)</nextToken>" } ?? "")</DescribeInstancesResponse>
            """
    }
}
