import AsyncHTTPClient
import Foundation
import HostsCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

extension HTTPTransport {
    /// One line for every way an exchange can end badly, naming the phase a deadline or a dropped connection hit.
    static func describe(
        _ error: any Error, phase: TransferPhase, url: URL, seconds: TimeInterval, maxBytes: Int, proxy: ProxyServer?
    ) -> HTTPTransportError {
        let origin = "\(url.host ?? "?"):\(url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80))"
        // Through a proxy the connection (and what refuses, times out or closes it) is the proxy's.
        let server = proxy.map { "\(origin) via \($0)" } ?? origin
        func failure(_ reason: String, retryable: Bool = true) -> HTTPTransportError {
            HTTPTransportError(url: url.absoluteString, reason: reason, isRetryable: retryable)
        }
        switch error {
        case let tooLarge as CappedBodyCollector.TooLarge:
            let declared = tooLarge.declared.map { " (Content-Length \($0))" } ?? ""
            return failure("answer body exceeds \(ByteCount.describe(maxBytes))\(declared)", retryable: false)
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                return failure("timed out after \(Self.seconds(seconds)) \(phase.description) from \(server)")
            case .remoteConnectionClosed:
                return failure("connection closed by \(server) \(phase.description)")
            case .cancelled:
                return failure("cancelled \(phase.description)")
            case .proxyAuthenticationRequired:
                return failure("\(server): the proxy wants credentials (user:password@ in the proxy URL)")
            case .invalidProxyResponse:
                return failure("\(server): the proxy refused the tunnel (does it allow CONNECT to \(origin)?)")
            case .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return failure("\(server): no answer from the proxy in time")
            case .alreadyShutdown:
                return failure("the HTTP client is shut down", retryable: false)
            default:
                return failure("\(server): \(error)")
            }
        case let error as NIOConnectionError:
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return failure("cannot resolve host \(url.host ?? "?")")
            }
            return failure("cannot connect to \(server)")
        case let error as IOError where error.errnoCode == ECONNREFUSED:
            return failure("cannot connect to \(server) (connection refused)")
        case is NIOSSLError, is BoringSSLError:
            return failure("TLS handshake with \(server) failed (\(tlsReason(error)))")
        case let error as HTTPParserError:
            return failure("malformed HTTP response from \(server) (\(error))")
        default:
            return failure("\(server): \(error)")
        }
    }

    /// `5s`, `0.5s`.
    static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? "\(Int(value))s" : "\(value)s"
    }

    /// BoringSSL's reason (e.g. `CERTIFICATE_VERIFY_FAILED`) without its source-file noise.
    private static func tlsReason(_ error: any Error) -> String {
        let text = "\(error)"
        guard let marker = text.range(of: "OPENSSL_internal:") else { return text }
        return String(text[marker.upperBound...].prefix { $0 != " " && $0 != "]" && $0 != ")" })
    }
}
