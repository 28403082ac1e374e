/// The standard AWS order: environment, shared files, container, IMDSv2. The first that has keys wins;
/// a provider that is configured but broken is an error (it is not skipped silently).
struct CredentialChain: Sendable {
    var environment: ProcessEnvironment
    var transport: HTTPTransport

    func resolve() async throws(CredentialsError) -> AWSCredentials {
        if let found = try EnvironmentCredentialsProvider(environment: environment).credentials() { return found }
        if let found = try SharedFileCredentialsProvider(environment: environment).credentials() { return found }
        if let found = try await ContainerCredentialsProvider(environment: environment, transport: transport)
            .credentials()
        {
            return found
        }
        if let found = try await IMDSCredentialsProvider(environment: environment, transport: transport).credentials() {
            return found
        }
        throw CredentialsError(
            source: "chain",
            reason: "no credentials found (environment, shared files, container, instance metadata)")
    }
}

/// Keeps resolved credentials across passes and sources, refreshing temporary ones before they expire.
actor CredentialsCache {
    private let chain: CredentialChain
    private var current: AWSCredentials?

    init(chain: CredentialChain) { self.chain = chain }

    func credentials() async throws(CredentialsError) -> AWSCredentials {
        if let current, !current.expires(within: 300) { return current }
        let fresh = try await chain.resolve()
        current = fresh
        return fresh
    }
}
