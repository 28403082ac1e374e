import ArgumentParser

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the state directory and every file in it; --fix moves bad files aside and rebuilds.",
        discussion: """
            Finds a state directory others could write, symlinks or other users' files where state files \
            belong, and damaged config, meta, cache, pause and backup files. Local segments that no longer \
            parse are named, never changed. Also lists the segment names kept out of the hosts file's block \
            because lines outside it define them: the owner's choice, not a problem.
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Repair what can be repaired.") var fix = false

    func run() async throws {
        try await global.run(checkState: false) { context in
            let findings = try StateDoctor(context: context).run(fix: fix)
            let location = await LocationCheck.measure((try? context.store.loadConfig()) ?? ClientConfig())
            let keptOut = StateDoctor(context: context).keptOut(location: location)
            if global.json {
                try Console.json(DoctorReport(findings: findings, keptOut: keptOut))
            } else if findings.isEmpty {
                Console.out("\(context.paths.stateDirectory): no problems found")
            } else {
                for finding in findings {
                    Console.out(
                        (finding.fixed ? "fixed " : "") + "\(finding.path): \(finding.problem) — \(finding.fix)")
                }
            }
            if !global.json {
                for line in StatusReport.describe(keptOut: keptOut) { Console.out(line) }
            }
            let left = findings.filter { !$0.fixed }.count
            if left > 0 && !global.json {
                Console.err("\(left) problem(s) left" + (fix ? "" : "; to repair: hosts-client doctor --fix"))
            }
            return left == 0
        }
    }
}
