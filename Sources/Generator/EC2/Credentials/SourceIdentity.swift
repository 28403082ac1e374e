/// Who a source is swept as: the credential plan its keys (`profile:`, `role_arn:`, `external_id:`,
/// `role_session_name:`) and the environment give, and where its STS/SSO calls go.
struct SourceIdentity: Sendable {
    var plan: CredentialPlan
    var context: CredentialContext

    static func resolve(
        _ source: SourceConfig, endpoint: EC2Endpoint, environment: ProcessEnvironment, transport: HTTPTransport
    ) throws(CredentialsError) -> SourceIdentity {
        SourceIdentity(
            plan: try plan(source, environment: environment),
            context: CredentialContext(
                environment: environment, transport: transport, region: endpoint.region, variant: endpoint.variant))
    }

    /// The plan alone, from the shared files as they are now, without a request.
    static func plan(_ source: SourceConfig, environment: ProcessEnvironment) throws(CredentialsError)
        -> CredentialPlan
    {
        try CredentialPlanner(environment: environment).plan(
            profile: source.profile, roleARN: source.roleARN, externalID: source.externalID,
            sessionName: source.roleSessionName)
    }
}
