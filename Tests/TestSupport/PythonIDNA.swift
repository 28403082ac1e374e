import Foundation

/// The reference for IDNA labels: Python's `idna` package (IDNA 2008 with UTS #46 nontransitional mapping, what
/// browsers and resolvers use), asked when the test runs.
public enum PythonIDNA {
    /// `idna.encode(text, uts46=True)` for each text, or nil where Python refuses it.
    public static func aLabels(_ texts: [String]) async throws -> [String?] {
        let script = """
            import idna, sys
            for text in sys.argv[1:]:
                try:
                    print(idna.encode(text, uts46=True).decode())
                except idna.IDNAError:
                    print("!")
            """
        let result = try await offThePool { try BuiltProducts.run("/usr/bin/env", ["python3", "-c", script] + texts) }
        guard result.status == 0 else {
            throw BuiltProducts.Missing(description: "python3 with idna (pip install idna): \(result.stderr)")
        }
        let lines = result.stdout.split(separator: "\n").map(String.init)
        guard lines.count == texts.count else {
            throw BuiltProducts.Missing(description: "python3 idna printed \(lines.count) lines for \(texts.count)")
        }
        return lines.map { $0 == "!" ? nil : $0 }
    }

    /// `idna.decode(label)`.
    public static func decode(_ label: String) async throws -> String {
        let script = "import idna, sys; print(idna.decode(sys.argv[1]))"
        let result = try await offThePool { try BuiltProducts.run("/usr/bin/env", ["python3", "-c", script, label]) }
        guard result.status == 0 else { throw BuiltProducts.Missing(description: "idna.decode: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .newlines)
    }
}
