import Foundation

/// One identity's credentials, shared by every source (and pass) that uses the same plan: fetched once,
/// refreshed before they expire (assumed-role, SSO, web-identity and process credentials expire), one fetch at a
/// time however many sources ask at once.
actor CredentialsCache {
    let plan: CredentialPlan
    private let context: CredentialContext
    private let now: @Sendable () -> Date
    private var current: AWSCredentials?
    private var inFlight: Task<Result<AWSCredentials, CredentialsError>, Never>?
    private var account: Task<AccountLookup, Never>?

    /// Refresh this long before expiry (botocore refreshes assumed roles 10–15 minutes ahead; STS's shortest
    /// session is 15 minutes, so a pass never starts on credentials about to lapse).
    static let refreshMargin: TimeInterval = 600
    /// A failed refresh keeps using credentials that still have this long to live.
    static let graceMargin: TimeInterval = 60

    init(plan: CredentialPlan, context: CredentialContext, now: @escaping @Sendable () -> Date = Date.init) {
        self.plan = plan
        self.context = context
        self.now = now
    }

    func credentials() async throws(CredentialsError) -> AWSCredentials {
        if let current, !current.expires(within: Self.refreshMargin, of: now()) { return current }
        let task: Task<Result<AWSCredentials, CredentialsError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let plan = plan
            let context = context
            let now = now
            task = Task {
                do throws(CredentialsError) {
                    return .success(try await plan.fetch(context, now: now()))
                } catch {
                    return .failure(error)
                }
            }
            inFlight = task
        }
        let result = await task.value
        if inFlight == task { inFlight = nil }
        switch result {
        case .success(let fresh):
            current = fresh
            return fresh
        case .failure(let error):
            if let current, !current.expires(within: Self.graceMargin, of: now()) { return current }
            throw error
        }
    }

    /// The account id, for logs: from the credentials when their provider said (assumed role, SSO, process), else
    /// `sts:GetCallerIdentity`, asked once. Never fails a source: a lookup that cannot be made says why.
    func accountID(ec2IsCustom: Bool) async -> AccountLookup {
        if let account { return await account.value }
        let context = context
        let now = now
        let task = Task<AccountLookup, Never> {
            let keys: AWSCredentials
            do {
                keys = try await self.credentials()
            } catch {
                return .unknown("no credentials")
            }
            if let id = keys.accountID { return .known(id) }
            // A custom EC2 endpoint (moto, LocalStack) is not AWS: AWS's STS would not know these keys, and asking
            // it would send them off to AWS.
            if ec2IsCustom && !context.stsIsConfigured { return .unknown("custom EC2 endpoint and no STS endpoint") }
            do {
                return .known(try await context.sts().callerAccount(with: keys, now: now()))
            } catch {
                return .unknown("\(error)")
            }
        }
        account = task
        let found = await task.value
        if case .unknown = found { account = nil }  // asked again next pass: the cause may have gone
        return found
    }
}

/// An account id, or why there is none.
enum AccountLookup: Sendable, Equatable, CustomStringConvertible {
    case known(String)
    case unknown(String)

    var description: String {
        switch self {
        case .known(let id): return id
        case .unknown(let why): return "unknown (\(why))"
        }
    }
}

/// Every identity's cache, kept across passes: sources with the same plan in the same region share one.
actor CredentialsRegistry {
    private var caches: [Key: CredentialsCache] = [:]

    private struct Key: Hashable {
        var plan: CredentialPlan
        var context: CredentialContext
    }

    func cache(plan: CredentialPlan, context: CredentialContext) -> CredentialsCache {
        let key = Key(plan: plan, context: context)
        if let found = caches[key] { return found }
        let made = CredentialsCache(plan: plan, context: context)
        caches[key] = made
        return made
    }
}
