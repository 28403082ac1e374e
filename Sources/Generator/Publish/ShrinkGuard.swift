/// Refuses a profile whose entry count falls by more than `fraction` of what is published: an API that
/// suddenly returns few or no instances (wrong filter, permissions, an outage answered with an empty page) must not
/// wipe the names everyone resolves.
struct ShrinkGuard: Sendable, Equatable {
    /// 0.5: going from 10 entries to 5 is allowed, to 4 is refused. 1 disables the guard.
    var fraction: Double

    /// Why `new` entries may not replace `old`, or nil when allowed.
    func refusal(profile: String, old: Int, new: Int) -> String? {
        guard old > 0, new < old else { return nil }
        let lost = Double(old - new) / Double(old)
        guard lost > fraction else { return nil }
        let percent = Int((lost * 100).rounded())
        let limit = Int((fraction * 100).rounded())
        return
            "profile \(profile): would shrink from \(old) to \(new) entries (-\(percent)%, more than the shrink-guard "
            + "\(limit)%); not published (use --force \(profile) to publish anyway)"
    }
}
