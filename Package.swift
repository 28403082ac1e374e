// swift-tools-version:6.1
// Where it builds and was tested: Linux (Debian 12 x86_64, Swift 6.3.1) for all three programs; `make release`
// links with --static-swift-stdlib so the binaries run without Swift. The macOS platform below is the floor
// the client's macOS paths (hosts file, dscacheutil flush, launchd plist, interface polling) are written for:
// never built or run here. The server's memory files are Linux-only (CMemoryFile). See README "Platforms".
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

/// AsyncHTTPClient and the NIO modules its API is written in (requests, headers, TLS settings, deadlines): what
/// HostsHTTP is built on, and what the two programs that fetch build their requests with.
let httpClientProducts: [Target.Dependency] = [
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let package = Package(
    name: "pseudodns",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "HostsCore", targets: ["HostsCore"]),
        .executable(name: "hosts-generator", targets: ["Generator"]),
        .executable(name: "hosts-server", targets: ["Server"]),
        .executable(name: "hosts-client", targets: ["Client"]),
        .executable(name: "hostscore-bench", targets: ["HostsCoreBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", "5.0.0"..<"7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        // The server's fast path works below Hummingbird, on NIO's HTTP/1 pipeline. Floors and traits are
        // Hummingbird 2.28's own, so resolution and the build stay what they were.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.0.0"),
        // The HTTP stack of the two programs that fetch (HostsHTTP): streaming bodies, whole-fetch deadlines,
        // redirects under the client's own rules and per-request TLS trust (FoundationNetworking on Linux has none of
        // the last three).
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.0.0"),
    ],
    targets: [
        .target(
            name: "HostsCore",
            dependencies: [
                "CFileMetadata",
                "CBuildVersion",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // One HTTP client stack for hosts-generator and hosts-client, over AsyncHTTPClient: a client per way out
        // (proxies from HostsCore), the capped streaming body, the deadline and one-line failures. Not in HostsCore,
        // which hosts-server links too.
        .target(
            name: "HostsHTTP",
            dependencies: [
                "HostsCore",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ] + httpClientProducts,
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Generator",
            dependencies: [
                "HostsCore",
                "HostsHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ] + httpClientProducts,
            swiftSettings: swiftSettings
        ),
        // Extended attributes and inode flags (chattr +i) are not in Swift's Glibc module either.
        .target(name: "CFileMetadata"),
        // The version make stamps (scripts/version.sh): a C file, so that a new version recompiles no Swift module.
        .target(name: "CBuildVersion"),
        // memfd_create and file seals (Linux only; elsewhere it returns -1) are not in Swift's Glibc module.
        .target(name: "CMemoryFile"),
        .executableTarget(
            name: "Server",
            dependencies: [
                "HostsCore",
                "CMemoryFile",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "Client",
            dependencies: [
                "HostsCore",
                "HostsHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ] + httpClientProducts,
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "HostsCoreBench", dependencies: ["HostsCore"], path: "bench/hostscore/Sources"),
        // Shared by the test targets only: moto_server launcher, free ports, temp dirs, running built binaries.
        .target(
            name: "TestSupport", dependencies: ["HostsCore"], path: "Tests/TestSupport", swiftSettings: swiftSettings),
        .testTarget(
            name: "HostsCoreTests", dependencies: ["HostsCore", "TestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "GeneratorTests", dependencies: ["Generator", "HostsCore", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "HostsCore", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                // The connection's state machine, tested on EmbeddedChannel.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ClientTests", dependencies: ["Client", "HostsCore", "HostsHTTP", "TestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(name: "EndToEndTests", dependencies: ["HostsCore", "TestSupport"], swiftSettings: swiftSettings),
    ]
)
