/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN`.
struct EnvironmentCredentialsProvider: Sendable {
    var environment: ProcessEnvironment

    /// nil when the variables are not set; an error when only one of the pair is.
    func credentials() throws(CredentialsError) -> AWSCredentials? {
        let id = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (id, secret) {
        case (nil, nil):
            return nil
        case (let id?, let secret?):
            return AWSCredentials(
                accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"],
                source: "environment")
        default:
            throw CredentialsError(
                source: "environment", reason: "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
        }
    }
}
