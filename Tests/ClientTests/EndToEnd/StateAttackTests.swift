import Foundation
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Root runs the client; `nobody` tries to steer what it writes or reads through files it can reach.
@Suite(.enabled(if: Attacker.available, "needs root and setpriv"))
struct StateAttackTests {
    /// `edit` used a predictable draft path in $TMPDIR and kept a pre-created file's owner: the attacker rewrote
    /// the draft while the editor was open. The client runs as PID 1 of a fresh PID namespace, so the old path
    /// (`hosts-client-lab-1.hosts`) is known in advance, as a patient attacker would know it.
    @Test func editDraftCannotBeRewrittenByAnotherUser() async throws {
        let sandbox = try ClientSandbox()
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/lab.hosts")
        try sandbox.succeed(["add", "lab", "--local", "--from", sandbox.root + "/lab.hosts"])
        let tmp = sandbox.root + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        chmod(tmp, 0o1777)
        #expect(Attacker.shell("umask 0; : > \(tmp)/hosts-client-lab-1.hosts") == 0)

        let editing = sandbox.root + "/editing"
        let go = sandbox.root + "/go"
        let editor = sandbox.root + "/editor.sh"
        try sandbox.write(
            """
            #!/bin/sh
            echo "$1" > \(editing).tmp && mv \(editing).tmp \(editing)
            i=0
            while [ ! -e \(go) ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i+1)); done
            printf '10.0.0.4 delta\\n' >> "$1"

            """, to: editor)
        chmod(editor, 0o755)
        let launched = try sandbox.launch(
            ["edit", "lab"], environment: ["TMPDIR": tmp, "EDITOR": editor, "VISUAL": ""],
            prefix: ["/usr/bin/unshare", "--pid", "--fork"])
        let opened = try await offThePool { waitUntil(seconds: 30) { FileManager.default.fileExists(atPath: editing) } }
        #expect(opened, "the editor never started")
        let draft =
            (try? String(contentsOfFile: editing, encoding: .utf8))?
            .trimmingCharacters(in: .newlines) ?? ""
        let injected = Attacker.shell("printf '6.6.6.6 bank.example\\n' >> '\(draft)'")
        FileManager.default.createFile(atPath: go, contents: nil)
        let run = try await offThePool {
            launched.process.waitUntilExit()
            return launched.finish()
        }
        #expect(run.ok, "\(run.stderr)")
        #expect(injected != 0, "nobody could write the draft \(draft)")
        #expect(!sandbox.hosts.contains("bank.example"), "injected line reached the hosts file")
        #expect(sandbox.blockLines.contains("10.0.0.4 delta"), "the user's own edit is saved")
        #expect(!draft.hasPrefix(tmp), "the draft lives in a private directory, not in \(tmp)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp) == ["hosts-client-lab-1.hosts"])
    }

    /// A state directory others can write is refused before anything in it is read or run.
    @Test func worldWritableOrForeignStateDirectoryIsRefused() throws {
        let sandbox = try ClientSandbox()
        try sandbox.succeed(["add", "lab", "--local"])
        let pwned = sandbox.root + "/pwned"
        chmod(sandbox.stateDirectory, 0o777)
        let state = sandbox.stateDirectory
        let config = #"{"segments":[],"settings":{"after-apply":"touch \#(pwned)"}}"#
        #expect(
            Attacker.shell("printf '%s' '\(config)' > \(state)/c.tmp && mv -f \(state)/c.tmp \(state)/config.json") == 0
        )
        let before = sandbox.hostsBytes

        let open = try sandbox.run(["apply"])
        #expect(open.status == 78, "\(open.status) \(open.stderr)")
        #expect(open.stderr.contains("refusing state directory \(state)"), "\(open.stderr)")
        #expect(open.stderr.contains("writable by others"), "\(open.stderr)")
        #expect(open.stderr.contains("chmod 700 \(state)"), "\(open.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pwned), "root ran the attacker's after-apply hook")
        #expect(sandbox.hostsBytes == before)

        // Not writable by others, but another user's (a --state-dir under sudo pointing into a home directory).
        chmod(state, 0o700)
        chown(state, Attacker.uid, Attacker.uid)
        let foreign = try sandbox.run(["status"])
        #expect(foreign.status == 78, "\(foreign.stderr)")
        #expect(foreign.stderr.contains("owned by uid 65534"), "\(foreign.stderr)")
        let sync = try sandbox.run(["sync"])
        #expect(sync.status == 78)
        #expect(!FileManager.default.fileExists(atPath: pwned))
        #expect(sandbox.hostsBytes == before)

        // A parent others can write lets them swap the whole directory: refused too.
        chown(state, 0, 0)
        chmod(sandbox.root, 0o777)
        let parent = try sandbox.run(["status"])
        #expect(parent.status == 78, "\(parent.stderr)")
        #expect(parent.stderr.contains("\(sandbox.root) is writable by others"), "\(parent.stderr)")
        chmod(sandbox.root, 0o755)
    }

    /// In a sticky directory (as /tmp) another user may plant the state directory as a symlink to one of root's
    /// directories and later re-point it: root then wrote its config there, and an `apply` through the moved link
    /// emptied the managed block. A link is followed only when root owns it; each link on the way is judged,
    /// so a root-owned link through another user's is refused too.
    @Test func aStateDirectoryLinkAnotherUserOwnsIsRefused() throws {
        let sandbox = try ClientSandbox()
        let state = sandbox.stateDirectory
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/mine.hosts")
        try sandbox.succeed(["add", "lab", "--local"])
        let before = sandbox.hostsBytes
        let real = sandbox.root + "/real-state"
        #expect(rename(state, real) == 0)
        let open = sandbox.root + "/root-open"  // another root-owned directory, 0755
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: false)
        chmod(open, 0o755)
        chmod(sandbox.root, 0o1777)  // like /tmp: anyone may add entries, only their own
        defer { chmod(sandbox.root, 0o755) }
        #expect(Attacker.shell("ln -sfn \(real) \(state)") == 0)
        let realBefore = try FileManager.default.contentsOfDirectory(atPath: real).sorted()

        let add = try sandbox.run(["add", "mine", "--local", "--from", sandbox.root + "/mine.hosts"])
        #expect(add.status == 78, "\(add.status) \(add.stderr)")
        #expect(
            add.stderr.contains(
                "refusing state directory \(state): the symbolic link \(state) is owned by uid 65534, not root"),
            "\(add.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).sorted() == realBefore)
        #expect(add.stderr.split(separator: "\n").count == 1, "one line: \(add.stderr)")

        #expect(Attacker.shell("ln -sfn \(open) \(state)") == 0)
        let apply = try sandbox.run(["apply"])
        #expect(apply.status == 78, "\(apply.status) \(apply.stderr)")
        #expect(apply.stderr.contains("the symbolic link \(state) is owned by uid 65534"), "\(apply.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: open).isEmpty, "root wrote through the link")
        #expect(sandbox.hostsBytes == before)

        let doctor = try sandbox.run(["doctor"])
        #expect(doctor.status == 1, "\(doctor.status) \(doctor.stdout) \(doctor.stderr)")
        #expect(
            doctor.stdout.contains("the symbolic link \(state) is owned by uid 65534, not root"), "\(doctor.stdout)")

        // Root's own link, through one the attacker owns: the attacker's hop is what could be re-pointed.
        #expect(Attacker.shell("rm -f \(state) && ln -s \(real) \(sandbox.root)/hop") == 0)
        #expect(symlink(sandbox.root + "/hop", state) == 0)
        let chained = try sandbox.run(["apply"])
        #expect(chained.status == 78, "\(chained.status) \(chained.stderr)")
        #expect(
            chained.stderr.contains("the symbolic link \(sandbox.root)/hop is owned by uid 65534"), "\(chained.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).sorted() == realBefore)
        #expect(sandbox.hostsBytes == before)
    }

    /// A root-owned link to a root-owned directory (how /var/lib is sometimes moved to another disk) is root's
    /// choice and keeps working, doctor included.
    @Test func aRootOwnedStateDirectoryLinkStillWorks() throws {
        let sandbox = try ClientSandbox()
        let target = sandbox.root + "/disk/pseudodns"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        chmod(target, 0o700)
        #expect(symlink(target, sandbox.stateDirectory) == 0)
        try sandbox.write("10.0.0.3 gamma\n", to: sandbox.root + "/mine.hosts")
        try sandbox.succeed(["add", "mine", "--local", "--from", sandbox.root + "/mine.hosts"])
        try sandbox.succeed(["apply"])
        #expect(sandbox.blockLines.contains("10.0.0.3 gamma"))
        #expect(FileManager.default.fileExists(atPath: target + "/config.json"))
        #expect(try sandbox.succeed(["doctor"]).stdout.contains("no problems found"))
    }

    /// A config file root does not own is refused: its `after-apply` would run as root.
    @Test func foreignOwnedConfigIsRefused() throws {
        let sandbox = try ClientSandbox()
        try sandbox.succeed(["add", "lab", "--local"])
        let pwned = sandbox.root + "/pwned"
        let configFile = sandbox.stateDirectory + "/config.json"
        try sandbox.write(#"{"segments":[],"settings":{"after-apply":"touch \#(pwned)"}}"#, to: configFile)
        chown(configFile, Attacker.uid, Attacker.uid)
        let before = sandbox.hostsBytes
        for command in [["apply"], ["status"], ["config"]] {
            let run = try sandbox.run(command)
            #expect(run.status == 78, "\(command): \(run.status) \(run.stderr)")
            #expect(run.stderr.contains("refusing \(configFile): it is owned by uid 65534"), "\(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: pwned))
        #expect(sandbox.hostsBytes == before)
    }

    /// Symlinks planted while the directory was open stay after it was closed again: none is followed.
    @Test func plantedSymlinksAreNeverFollowed() throws {
        let sandbox = try ClientSandbox()
        let state = sandbox.stateDirectory
        try sandbox.succeed(["add", "lab", "--local"])
        try sandbox.succeed(["config", "keep-backups", "5"])
        // A remote segment with a cached copy, as a sync leaves it (no server needed to show or apply it).
        try sandbox.write(
            #"{"segments":[{"name":"office","kind":"remote","url":"http://127.0.0.1:9/office","enabled":true}],"#
                + #""settings":{"keep-backups":5}}"#, to: state + "/config.json")
        try FileManager.default.createDirectory(atPath: state + "/cache", withIntermediateDirectories: true)
        try sandbox.write(#"{"url":"http://127.0.0.1:9/office","entries":1}"#, to: state + "/cache/office.meta.json")
        let secret = sandbox.root + "/secret"
        try sandbox.write("10.6.6.6 root-only-secret\n", to: secret)
        chmod(secret, 0o600)
        let attacker = try Attacker.home(in: sandbox)
        let pwned = sandbox.root + "/pwned"
        try sandbox.write(
            #"{"segments":[],"settings":{"after-apply":"touch \#(pwned)"}}"#, to: attacker + "/config.json")
        chown(attacker + "/config.json", Attacker.uid, Attacker.uid)
        let created = sandbox.root + "/created-by-root"

        for directory in [state, state + "/cache", state + "/backups"] { chmod(directory, 0o777) }
        #expect(Attacker.shell("ln -s \(secret) \(state)/cache/office.hosts") == 0)
        #expect(Attacker.shell("ln -s \(secret) \(state)/backups/20200101T000000Z-99.hosts") == 0)
        for directory in [state, state + "/cache", state + "/backups"] { chmod(directory, 0o700) }
        let before = sandbox.hostsBytes

        let show = try sandbox.run(["show", "office"])
        #expect(!show.stdout.contains("root-only-secret"), "show printed a root-only file")
        #expect(show.status == 78, "\(show.status) \(show.stderr)")
        #expect(show.stderr.contains("refusing \(state)/cache/office.hosts: it is a symbolic link"), "\(show.stderr)")

        let restore = try sandbox.run(["restore", "20200101T000000Z-99"])
        #expect(restore.status == 78, "\(restore.status) \(restore.stderr)")
        #expect(restore.stderr.contains("\(state)/backups/20200101T000000Z-99.hosts: it is a symbolic link"))
        #expect(sandbox.hostsBytes == before, "restore copied a root-only file into the hosts file")

        chmod(state, 0o777)
        #expect(Attacker.shell("rm -f \(state)/lock && ln -s \(created) \(state)/lock") == 0)
        chmod(state, 0o700)
        let apply = try sandbox.run(["apply"])
        #expect(apply.status == 78, "\(apply.status) \(apply.stderr)")
        #expect(apply.stderr.contains("refusing \(state)/lock: it is a symbolic link"), "\(apply.stderr)")
        #expect(!FileManager.default.fileExists(atPath: created), "root created a file through the lock symlink")
        #expect(!sandbox.hosts.contains("root-only-secret"))

        // With the lock gone, apply runs: the planted cache costs only its own segment.
        unlink(state + "/lock")
        let second = try sandbox.run(["apply"])
        #expect(second.status != 0)
        #expect(
            second.stderr.contains("segment office left out: refusing \(state)/cache/office.hosts"), "\(second.stderr)")
        #expect(!sandbox.hosts.contains("root-only-secret"))

        unlink(state + "/config.json")
        #expect(symlink(attacker + "/config.json", state + "/config.json") == 0)
        let config = try sandbox.run(["apply"])
        #expect(config.status == 78, "\(config.stderr)")
        #expect(config.stderr.contains("refusing \(state)/config.json: it is a symbolic link"), "\(config.stderr)")
        #expect(!FileManager.default.fileExists(atPath: pwned), "root ran a hook from a symlinked config")
        #expect(!sandbox.hosts.contains("root-only-secret"))

        // doctor names every plant and --fix takes them out without following one.
        let doctor = try sandbox.run(["doctor"])
        #expect(doctor.status == 1)
        for plant in ["config.json", "cache/office.hosts", "backups/20200101T000000Z-99.hosts"] {
            #expect(doctor.stdout.contains("\(state)/\(plant): it is a symbolic link"), "\(plant): \(doctor.stdout)")
        }
        let fixed = try sandbox.run(["doctor", "--fix"])
        #expect(fixed.ok, "\(fixed.stdout) \(fixed.stderr)")
        try sandbox.succeed(["apply"])
        #expect(try sandbox.succeed(["doctor"]).stdout.contains("no problems found"))
        #expect(!FileManager.default.fileExists(atPath: pwned))
        #expect(!sandbox.hosts.contains("root-only-secret"))
        #expect(try String(contentsOfFile: secret, encoding: .utf8) == "10.6.6.6 root-only-secret\n")
        #expect(try String(contentsOfFile: attacker + "/config.json", encoding: .utf8).contains("after-apply"))
    }
}
