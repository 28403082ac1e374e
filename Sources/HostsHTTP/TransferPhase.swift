import HostsCore

/// Where an exchange was when it ended: the words a timeout or a dropped connection is reported with.
public enum TransferPhase: Sendable, Equatable {
    case connecting
    case awaitingResponse
    case readingBody(received: Int)

    public var description: String {
        switch self {
        case .connecting: "while connecting (TCP/TLS)"
        case .awaitingResponse: "while waiting for the response headers"
        case .readingBody(let received): "while reading the body (\(ByteCount.describe(received)) received)"
        }
    }
}
