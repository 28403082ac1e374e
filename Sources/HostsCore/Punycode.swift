/// Punycode (RFC 3492): the ASCII encoding of a Unicode label that IDNA writes after `xn--`.
public enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 0x80

    /// Longer inputs are refused: no DNS label comes near, and the arithmetic stays far from overflow.
    public static let maxScalars = 1024

    /// The Punycode of `scalars` (without the `xn--` prefix), or nil when there are more than ``maxScalars``.
    /// Basic code points are copied as they are, so the caller decides case and validity first.
    public static func encode(_ scalars: some Collection<Unicode.Scalar>) -> String? {
        guard scalars.count <= maxScalars else { return nil }
        let input = scalars.map { Int($0.value) }
        var output: [UInt8] = input.filter { $0 < initialN }.map { UInt8($0) }
        let basic = output.count
        var handled = basic
        if basic > 0 { output.append(UInt8(ascii: "-")) }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            // The smallest code point not yet handled; every one left is >= n.
            let next = input.filter { $0 >= n }.min() ?? n
            delta += (next - n) * (handled + 1)
            n = next
            for code in input {
                if code < n { delta += 1 }
                guard code == n else { continue }
                var q = delta
                var k = base
                while true {
                    let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                    if q < t { break }
                    output.append(digit(t + (q - t) % (base - t)))
                    q = (q - t) / (base - t)
                    k += base
                }
                output.append(digit(q))
                bias = adapt(delta: delta, points: handled + 1, first: handled == basic)
                delta = 0
                handled += 1
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func adapt(delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: Int) -> UInt8 {
        value < 26 ? UInt8(value + 0x61) : UInt8(value - 26 + 0x30)
    }
}
