import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOHTTP1

/// Builds the application for `options`: loads the directory once (failing if it cannot be listed),
/// reads the token file, and wires the responder, the watcher and the HTTP or HTTPS server.
/// - Parameter onRunning: told the bound port once the server listens (tests bind port 0).
func buildApplication(
    options: ServerOptions, logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws -> Application<ServerResponder> {
    let directory = PublishedDirectory(path: options.directory)
    do {
        _ = try directory.list()
    } catch {
        throw ServerSetupError(description: "--dir \(error)")
    }
    var loader = SnapshotLoader(directory: directory)
    let store = SnapshotStore(.empty)
    DirectoryWatcher.poll(&loader, store: store, logger: logger)

    let tokens: TokenStore?
    do {
        tokens = try options.tokenFile.map { path throws(TokenFileError) in try TokenStore(path: path) }
    } catch {
        throw ServerSetupError(description: "--token-file \(error)")
    }

    let metrics = ServerMetrics()
    let connections = try makeConnectionLimit(options: options, metrics: metrics)
    let accessLog =
        options.accessLog
        ? AccessLog(
            configuration: .init(format: options.accessLogFormat, flushInterval: options.accessLogFlush),
            registry: metrics.registry, logger: logger) : nil
    let accounting = RequestAccounting(metrics: metrics, accessLog: accessLog)
    let responder = ServerResponder(
        store: store, tokens: tokens, accounting: accounting,
        scheme: options.tls == nil ? "http" : "https", proxies: TrustedProxies(options.trustedProxies))
    let watcher = DirectoryWatcher(
        store: store, loader: loader, tokens: tokens, interval: options.pollInterval, logger: logger)

    var limits = NIOHTTPDecoderLimitConfiguration()
    limits.maxHeaderFieldSize = options.maxHeaderBytes
    limits.maxHeaderListSize = options.maxHeaderBytes
    limits.maxHeaderFieldCount = 100
    let fastPath = options.fastPath && ProfileHTTP1Channel.fastPathAvailable
    let channel = ProfileHTTP1Channel.Configuration(
        idleTimeout: TimeAmount(options.idleTimeout), requestTimeout: TimeAmount(options.requestTimeout),
        decoderLimits: limits, sendsFiles: options.tls == nil,
        fastPath: fastPath)
    let routes = StaticRoutes(store: store, tokens: tokens, proxies: TrustedProxies(options.trustedProxies))
    var server = HTTPServerBuilder { responder in
        ProfileHTTP1Channel(
            responder: responder, configuration: channel, routes: routes, accounting: accounting,
            connections: connections)
    }
    if let tls = options.tls {
        server = try .tls(server, tlsConfiguration: makeTLSConfiguration(tls))
    }
    return Application(
        responder: responder,
        server: server,
        configuration: ApplicationConfiguration(
            address: .hostname(options.host, port: options.port), serverName: "hosts-server"),
        // Shut down in reverse order: the server (finishing the requests in flight) before the access log
        // writes its last lines.
        services: (accessLog.map { [$0] } ?? []) + [watcher],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? options.port
            do {
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimitHandler(limit: connections, logger: logger), position: .first)
                }.get()
            } catch {
                logger.error("connection limit not installed", metadata: ["error": "\(error)"])
            }
            logger.info(
                "listening",
                metadata: [
                    "address": "\(options.host):\(port)", "tls": "\(options.tls != nil)",
                    "tokens": "\(tokens != nil)", "fast_path": "\(fastPath)", "dir": "\(options.directory)",
                    "max_connections": "\(connections.maximum)", "descriptor_limit": "\(DescriptorLimit.current)",
                    "trusted_proxies": "\(options.trustedProxies.map(\.description).joined(separator: ","))",
                ])
            await onRunning(port)
        },
        logger: logger
    )
}

/// The limit `--max-connections` asks for, or the default the descriptor limit holds. A value the
/// descriptor limit cannot hold is refused: running out of descriptors crashes the process (see
/// ``DescriptorLimit``).
private func makeConnectionLimit(options: ServerOptions, metrics: ServerMetrics) throws -> ConnectionLimit {
    let limit = DescriptorLimit.current
    let sendsFiles = options.tls == nil
    let most = DescriptorLimit.maximumConnections(limit: limit, sendsFiles: sendsFiles)
    let maximum = options.maxConnections ?? DescriptorLimit.defaultMaxConnections(limit: limit, sendsFiles: sendsFiles)
    guard maximum <= most else {
        throw ServerSetupError(
            description:
                "--max-connections \(maximum): the descriptor limit (RLIMIT_NOFILE \(limit)) holds at most \(most); "
                + "raise the limit (ulimit -n, LimitNOFILE=) or ask for fewer")
    }
    return ConnectionLimit(maximum: maximum, metrics: ConnectionMetrics(registry: metrics.registry, maximum: maximum))
}

private func makeTLSConfiguration(_ files: ServerOptions.TLSFiles) throws -> TLSConfiguration {
    let chain: [NIOSSLCertificate]
    do {
        chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
    } catch {
        throw ServerSetupError(
            description: "--tls-cert \(files.certificate): not a readable PEM certificate (\(error))")
    }
    let key: NIOSSLPrivateKey
    do {
        key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
    } catch {
        throw ServerSetupError(description: "--tls-key \(files.privateKey): not a readable PEM private key (\(error))")
    }
    var configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    // RFC 8996: TLS 1.0 and 1.1 MUST NOT be negotiated. 1.3 is the maximum, and chosen whenever the client
    // offers it.
    configuration.minimumTLSVersion = .tlsv12
    configuration.maximumTLSVersion = .tlsv13
    // A close waits this long for the client's close_notify: no longer than a connection closed to make room
    // may hold its descriptors (NIOSSL's default is 5 s).
    configuration.shutdownTimeout = ConnectionSlot.closeGrace
    return configuration
}
