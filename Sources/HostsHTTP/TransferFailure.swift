import AsyncHTTPClient
import Foundation
import HostsCore
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL

/// Why an exchange over AsyncHTTPClient gave no response: what kind of failure, and one line for it naming the
/// server and, for a deadline or a dropped connection, the phase it hit.
///
/// `reason` is the line both programs report; a program that words a kind its own way (the client adds hints for
/// its users) switches on `kind` and uses `server`.
public struct TransferFailure: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The body passed the cap (counted as it streamed, or by the decompressor); `declared` when the head's
        /// `Content-Length` announced it.
        case tooLarge(declared: Int?)
        /// No TCP connection: `refused` when the other end said so.
        case cannotConnect(refused: Bool)
        /// The TLS handshake failed; `reason` is BoringSSL's (e.g. `CERTIFICATE_VERIFY_FAILED`).
        case tls(reason: String)
        /// Nothing was sent and the same would happen again: a proxy variable that does not parse, a pool shut down.
        case unusable
        /// Anything else: a deadline, a dropped connection, a proxy's refusal, a malformed answer, a name that does
        /// not resolve.
        case other
    }

    public var kind: Kind
    public var reason: String
    /// `host:port` of the URL, with ` via proxy host:port` when the connection is the proxy's.
    public var server: String
    public var description: String { reason }

    public init(kind: Kind, reason: String, server: String) {
        self.kind = kind
        self.reason = reason
        self.server = server
    }

    /// `host:port` of `url`, the scheme's port when it names none.
    public static func origin(of url: URL) -> String {
        "\(url.host ?? "?"):\(url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80))"
    }

    /// The failure an exchange with `url` ended in: `error` as AsyncHTTPClient, NIO or the collector threw it.
    /// `timeout` is what the deadline was set from, for its message.
    public init(
        _ error: any Error, collector: CappedBodyCollector, url: URL, timeout: Interval, proxy: ProxyServer?
    ) {
        let origin = Self.origin(of: url)
        // Through a proxy the connection (and what refuses, times out or closes it) is the proxy's.
        let server = proxy.map { "\(origin) via \($0)" } ?? origin
        let phase = collector.phase.description
        let tooLarge = "answer body exceeds \(ByteCount.describe(collector.maxBytes))"
        func failure(_ reason: String, _ kind: Kind = .other) -> TransferFailure {
            TransferFailure(kind: kind, reason: reason, server: server)
        }
        switch error {
        case let error as CappedBodyCollector.TooLarge:
            let declared = error.declared.map { " (Content-Length \($0))" } ?? ""
            self = failure(tooLarge + declared, .tooLarge(declared: error.declared))
        case let error as NIOHTTPDecompression.DecompressionError:
            if case .limit = error {
                self = failure(tooLarge, .tooLarge(declared: nil))
            } else {
                self = failure("cannot decode the compressed body from \(server) (\(error))")
            }
        case let error as NIOHTTPDecompression.ExtraDecompressionError:
            self = failure("cannot decode the compressed body from \(server) (\(error))")
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                self = failure("timed out after \(timeout) \(phase) from \(server)")
            case .remoteConnectionClosed:
                self = failure("connection closed by \(server) \(phase)")
            case .cancelled:
                self = failure("cancelled \(phase)")
            case .proxyAuthenticationRequired:
                self = failure("\(server): the proxy wants credentials (user:password@ in the proxy URL)")
            case .invalidProxyResponse:
                self = failure("\(server): the proxy refused the tunnel (does it allow CONNECT to \(origin)?)")
            case .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                self = failure("\(server): no answer from the proxy in time")
            case .alreadyShutdown:
                self = failure("the HTTP client is shut down", .unusable)
            default:
                self = failure("\(server): \(error)")
            }
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                self = failure("cannot resolve host \(url.host ?? "?")")
            } else {
                self = failure("cannot connect to \(server)", .cannotConnect(refused: false))
            }
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            self = failure("cannot connect to \(server) (connection refused)", .cannotConnect(refused: true))
        case is NIOSSLError, is BoringSSLError:
            let reason = Self.tlsReason(error)
            self = failure("TLS handshake with \(server) failed (\(reason))", .tls(reason: reason))
        case let error as HTTPParserError:
            self = failure("malformed HTTP response from \(server) (\(error))")
        default:
            self = failure("\(server): \(error)")
        }
    }

    /// BoringSSL's reason (e.g. `CERTIFICATE_VERIFY_FAILED`) without its source-file noise.
    private static func tlsReason(_ error: any Error) -> String {
        let text = "\(error)"
        guard let marker = text.range(of: "OPENSSL_internal:") else { return text }
        return String(text[marker.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" })
    }
}
