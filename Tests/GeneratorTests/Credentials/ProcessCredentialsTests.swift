import Foundation
import Testing

@testable import Generator

/// `credential_process` with real programs: the JSON it prints, and every way a program can misbehave (fail,
/// hang, flood its output, print the wrong document) ending bounded with a one-line reason.
@Suite struct ProcessCredentialsTests {
    func run(_ script: String, deadline: TimeInterval = 10, arguments: String = "") async throws -> Result<
        AWSCredentials, CredentialsError
    > {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = try folder.write("creds helper.sh", "#!/bin/sh\n" + script + "\n")
        chmod(path, 0o755)
        // The path has a space: the command line is split like a shell would, so it is quoted. The script is run by
        // /bin/sh rather than exec'd: a file just written can be "busy" while another test forks (ETXTBSY).
        let provider = ProcessCredentialsProvider(
            command: "/bin/sh '\(path)' \(arguments)", profile: "vault",
            environment: ProcessEnvironment(["PATH": "/usr/bin:/bin"]),
            deadline: deadline)
        do {
            return .success(try await provider.credentials())
        } catch {
            return .failure(error)
        }
    }

    func reason(_ result: Result<AWSCredentials, CredentialsError>) -> String {
        switch result {
        case .success(let credentials): return "succeeded: \(credentials.accessKeyID)"
        case .failure(let error): return error.description
        }
    }

    @Test func readsVersion1Document() async throws {
        let found = try await run(
            """
            [ "$1" = "--role" ] && [ "$2" = "hosts reader" ] || { echo "bad args: $*" >&2; exit 9; }
            echo '{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "s", "SessionToken": "t",
              "Expiration": "2099-01-01T00:00:00Z", "AccountId": "121212121212"}'
            """, arguments: "--role \"hosts reader\""
        ).get()
        #expect(found.accessKeyID == "ASIAPROC")
        #expect(found.sessionToken == "t")
        #expect(found.expiration == Date(timeIntervalSince1970: 4_070_908_800))
        #expect(found.accountID == "121212121212")
        #expect(found.source == "credential_process of profile vault")
        // Long-lived keys: no Expiration, no token.
        let lasting = try await run(#"echo '{"Version":1,"AccessKeyId":"AKIA","SecretAccessKey":"s"}'"#).get()
        #expect(lasting.expiration == nil && lasting.sessionToken == nil)
    }

    @Test func misbehavingProgramsFailBoundedWithReason() async throws {
        #expect(
            reason(try await run("echo 'token expired, run vault login' >&2; exit 3")).hasSuffix(
                "exited with status 3: token expired, run vault login"))
        // The bound is proved by the program itself, not by a clock: it records its process id, and once the call
        // returned with the deadline's reason that process must be gone (killed, not waited for: it sleeps 300 s).
        let pidFolder = try TemporaryFolder()
        defer { pidFolder.remove() }
        let pidFile = pidFolder.file("hung.pid")
        let hung = reason(try await run("echo $$ > '\(pidFile)'; exec sleep 300", deadline: 1))
        #expect(hung.hasSuffix("it did not finish within 1 s (killed)"), "\(hung)")
        let hungPID = try #require(
            pid_t(pidFolder.read("hung.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        #expect(kill(hungPID, 0) == -1 && errno == ESRCH, "the hung program \(hungPID) is still running")
        // A child that keeps the output pipe open after the program exits does not hold the wait either.
        let lingering = reason(try await run("(sleep 30) & echo '{}'; exit 0", deadline: 1))
        #expect(lingering.contains("did not finish within 1 s") || lingering.contains("not a credentials document"))
        #expect(
            reason(try await run("head -c 1000000 /dev/zero")).hasSuffix("it wrote more than 65536 bytes (killed)"))
        #expect(
            reason(try await run(#"echo '{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"}'"#)).hasSuffix(
                "unsupported Version 2 (only 1 is)"))
        #expect(reason(try await run("echo not json")).contains("its output is not a credentials document"))
        #expect(
            reason(
                try await run(
                    #"echo '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2001-01-01T00:00:00Z"}'"#
                )
            ).contains("the credentials it returned expired at 2001-01-01T00:00:00Z"))
        let missing = ProcessCredentialsProvider(
            command: "/nonexistent/helper", profile: "vault", environment: ProcessEnvironment([:]))
        await #expect(throws: CredentialsError.self) { try await missing.credentials() }
    }

    @Test func commandLinesSplitLikeAShell() throws {
        #expect(try ShellWords.split(#"a 'b c' "d \"e\"" f\ g"#) == ["a", "b c", #"d "e""#, "f g"])
        #expect(try ShellWords.split("  x   ''  y ") == ["x", "", "y"])
        #expect(try ShellWords.split(#""a\b""#) == [#"a\b"#])
        #expect(throws: ShellWords.SplitError.self) { try ShellWords.split("a 'b") }
    }
}
