/// Capped exponential backoff with full jitter: before retry n (1-based) wait a random time in
/// `0 ... min(maxDelay, baseDelay * 2^(n-1))`.
struct RetryPolicy: Sendable, Equatable {
    var maxAttempts: Int = 5
    var baseDelay: Double = 0.2
    var maxDelay: Double = 20

    /// What `retry.base-delay` and `retry.max-delay` may be: a longer wait is a typo (and the source's
    /// `timeout:` cuts the sweep long before anyway).
    static let delayRange: ClosedRange<Double> = 0...600

    /// The delay before retry number `retry` (1 = first retry), in seconds.
    func delay(beforeRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let exponent = Double(min(max(retry - 1, 0), 30))
        let cap = min(maxDelay, baseDelay * pow2(exponent))
        return cap <= 0 ? 0 : Double.random(in: 0...cap, using: &generator)
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}
