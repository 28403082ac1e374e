import Foundation
import HostsCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `doctor`: every problem of the state directory, one finding each; with `fix`, bad files are moved aside
/// (`NAME.bad-STAMP`, symlinks removed) and what can be rebuilt is rebuilt, under the lock.
struct StateDoctor {
    struct Finding: Codable, Sendable, Equatable {
        var path: String
        var problem: String
        /// What fixes it (`doctor --fix`, or the command to run by hand).
        var fix: String
        var fixed = false
    }

    var context: ClientContext
    var now = Date()

    private var paths: StatePaths { context.paths }
    private var store: StateStore { context.store }
    private var stamp: String { BackupStore.stamp(now) }

    func run(fix: Bool) throws -> [Finding] {
        var findings: [Finding] = []
        for problem in StateDirectory.problems(paths) {
            var finding = Finding(path: problem.path, problem: problem.reason, fix: problem.fix)
            if fix && problem.fixable { finding.fixed = repairDirectory(problem.path) }
            findings.append(finding)
        }
        // Nothing inside is trusted (or touched) while the directory itself is not safe.
        if !StateDirectory.problems(paths).isEmpty || !FileIO.exists(paths.stateDirectory) { return findings }

        if let problem = StateFiles.problem(at: paths.lockFile) {
            findings.append(remove(paths.lockFile, problem: problem, fix: fix, why: "a new lock is made"))
        }
        let lock = fix ? try context.lock() : nil
        defer { lock?.release() }

        findings += checkConfig(fix: fix)
        findings += checkJSON(paths.appliedFile, as: AppliedState.self, fix: fix, rebuilt: "rebuilt at the next apply")
        findings += checkPause(fix: fix)
        findings += checkCache(fix: fix)
        findings += checkLocal(fix: fix)
        findings += checkBackups(fix: fix)
        return findings
    }

    /// The segment names that lines outside the block define (kept out of it by apply), as `status` has them: not
    /// findings, since the owner's lines winning is the owner's choice. Empty when the state cannot be read (the
    /// findings say why).
    func keptOut(location: LocationCheck) -> [KeptOutName] {
        guard StateDirectory.problems(paths).isEmpty, let config = try? store.loadConfig(),
            let preview = try? context.applier(config).preview(config: location.effective(config))
        else { return [] }
        return preview.plan.merge.keptOut
    }

    // MARK: checks

    private func checkConfig(fix: Bool) -> [Finding] {
        let path = paths.configFile
        let problem: String
        do {
            _ = try store.loadConfig()
            return []
        } catch {
            problem = Self.reason(error, path: path)
        }
        var finding = Finding(
            path: path, problem: problem,
            fix: "hosts-client doctor --fix (moves it aside, rebuilds it from the segment files)")
        guard fix, let aside = moveAside(path) else { return [finding] }
        let rebuilt = rebuildConfig()
        finding.fixed = (try? store.saveConfig(rebuilt)) != nil
        let remote = rebuilt.segments.filter { $0.kind == .remote }.map(\.name)
        finding.fix =
            "moved to \(aside); rebuilt with local segments (on): "
            + (rebuilt.segments.filter { $0.kind == .local }.map(\.name).joined(separator: ", ").nonEmpty ?? "none")
            + "; remote (off until you check their trust options, then: hosts-client enable NAME): "
            + (remote.joined(separator: ", ").nonEmpty ?? "none")
        return [finding]
    }

    /// Local segments from local/*.hosts (on) and remote ones from their meta files (off: their pinned keys and
    /// policy were in the lost config, so they must not start accepting unsigned content on their own).
    private func rebuildConfig() -> ClientConfig {
        var config = ClientConfig()
        for name in ((try? FileIO.list(paths.localDirectory)) ?? []).sorted() {
            if let segment = StatePaths.segment(ofFile: name) {
                config.segments.append(SegmentConfig(name: segment, kind: .local, enabled: true))
            }
        }
        for name in ((try? FileIO.list(paths.cacheDirectory)) ?? []).sorted() where name.hasSuffix(".meta.json") {
            let segment = String(name.dropLast(".meta.json".count))
            guard ProfileName.isValid(segment), config.index(of: segment) == nil,
                let meta = try? store.readMeta(segment).get()
            else { continue }
            config.segments.append(SegmentConfig(name: segment, kind: .remote, url: meta.url, enabled: false))
        }
        return config
    }

    private func checkPause(fix: Bool) -> [Finding] {
        do {
            _ = try store.loadPause()
            return []
        } catch {
            var finding = Finding(
                path: paths.pauseFile, problem: Self.reason(error, path: paths.pauseFile),
                fix: "hosts-client doctor --fix (writes stay paused), or: hosts-client resume")
            if fix {
                _ = moveAside(paths.pauseFile)
                finding.fixed =
                    (try? store.savePause(PauseState(since: now, backup: "unknown", hostsFile: paths.hostsFile))) != nil
                finding.fix = "rewritten; writes stay paused until: hosts-client resume"
            }
            return [finding]
        }
    }

    private func checkJSON<T: Decodable>(_ path: String, as type: T.Type, fix: Bool, rebuilt: String) -> [Finding] {
        let problem: String
        do {
            guard let bytes = try StateFiles.contentsIfPresent(of: path) else { return [] }
            _ = try StateStore.decoder.decode(T.self, from: Data(bytes))
            return []
        } catch {
            problem = Self.reason(error, path: path)
        }
        var finding = Finding(path: path, problem: problem, fix: "hosts-client doctor --fix (\(rebuilt))")
        if fix, let aside = moveAside(path) {
            finding.fixed = true
            finding.fix = "moved to \(aside); \(rebuilt)"
        }
        return [finding]
    }

    private func checkCache(fix: Bool) -> [Finding] {
        var findings: [Finding] = []
        let config = try? store.loadConfig()
        for name in entries(of: paths.cacheDirectory) {
            let path = "\(paths.cacheDirectory)/\(name)"
            if let problem = StateFiles.problem(at: path) {
                findings.append(remove(path, problem: problem, fix: fix, why: "the next sync fetches it again"))
                continue
            }
            if name.hasSuffix(".meta.json") {
                let segment = String(name.dropLast(".meta.json".count))
                if case .failure(let error) = store.readMeta(segment) {
                    findings.append(
                        aside(
                            [path, paths.cacheFile(segment)], problem: Self.reason(error, path: path), fix: fix,
                            why: "the next sync fetches segment \(segment) again"))
                }
            } else if let segment = StatePaths.segment(ofFile: name) {
                guard let bytes = try? store.loadCache(segment) else { continue }
                do {
                    _ = try HostsLines(parsing: bytes, source: path)
                } catch {
                    let local = config?.segment(named: segment)?.kind == .local
                    findings.append(
                        aside(
                            local ? [path] : [path, paths.metaFile(segment)], problem: error.description, fix: fix,
                            why: local
                                ? "segment \(segment)'s last good version is its file, once that parses"
                                : "the next sync fetches segment \(segment) again"))
                }
            }
        }
        return findings
    }

    private func checkLocal(fix: Bool) -> [Finding] {
        var findings: [Finding] = []
        for name in entries(of: paths.localDirectory) {
            let path = "\(paths.localDirectory)/\(name)"
            if let problem = StateFiles.problem(at: path) {
                findings.append(remove(path, problem: problem, fix: fix, why: "its last good version stays in use"))
                continue
            }
            guard let segment = StatePaths.segment(ofFile: name),
                let bytes = try? StateFiles.contentsIfPresent(of: path)
            else { continue }
            do {
                _ = try StrictParser.parse(bytes, source: path)
            } catch {
                // The user's own text: never moved, only named.
                findings.append(
                    Finding(
                        path: path, problem: error.description,
                        fix: "fix it by hand: hosts-client edit \(segment) (its last good version is in use)"))
            }
        }
        return findings
    }

    private func checkBackups(fix: Bool) -> [Finding] {
        var findings: [Finding] = []
        let backups = BackupStore(directory: paths.backupDirectory, keep: 1)
        for name in entries(of: paths.backupDirectory) {
            let path = "\(paths.backupDirectory)/\(name)"
            if let problem = StateFiles.problem(at: path) {
                findings.append(remove(path, problem: problem, fix: fix, why: "it is not a backup this client took"))
            } else if name.hasSuffix(".json") {
                let id = String(name.dropLast(".json".count))
                if (try? StateStore.decoder.decode(
                    BackupStore.Record.self, from: Data(StateFiles.contentsIfPresent(of: path) ?? []))) == nil
                {
                    findings.append(
                        aside(
                            [backups.recordPath(id)], problem: "not a valid backup record", fix: fix,
                            why: "backup \(id) then restores only with --onto-other-file"))
                }
            }
        }
        return findings
    }

    // MARK: repairs

    private func repairDirectory(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        if info.st_mode & S_IFMT == S_IFDIR && info.st_uid == 0 { return chmod(path, 0o700) == 0 }
        return moveAside(path) != nil
    }

    /// A symlink is removed (never followed, nothing to keep); any other refused file is moved aside.
    private func remove(_ path: String, problem: String, fix: Bool, why: String) -> Finding {
        var finding = Finding(path: path, problem: problem, fix: "hosts-client doctor --fix (\(why))")
        guard fix else { return finding }
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            finding.fixed = unlink(path) == 0
            finding.fix = "removed; \(why)"
        } else if let aside = moveAside(path) {
            finding.fixed = true
            finding.fix = "moved to \(aside); \(why)"
        }
        return finding
    }

    private func aside(_ files: [String], problem: String, fix: Bool, why: String) -> Finding {
        var finding = Finding(path: files[0], problem: problem, fix: "hosts-client doctor --fix (\(why))")
        guard fix else { return finding }
        let moved = files.filter { FileIO.exists($0) || StateFiles.problem(at: $0) != nil }.compactMap(moveAside)
        finding.fixed = !moved.isEmpty
        finding.fix = "moved to \(moved.joined(separator: ", ")); \(why)"
        return finding
    }

    /// rename (which never follows a symlink) to `PATH.bad-STAMP`; nil when there was nothing to move.
    private func moveAside(_ path: String) -> String? {
        let target = "\(path).bad-\(stamp)"
        return rename(path, target) == 0 ? target : nil
    }

    /// Names in a subdirectory, without what doctor already moved aside or a write left half-done.
    private func entries(of directory: String) -> [String] {
        ((try? FileIO.list(directory)) ?? []).filter { !$0.contains(".bad-") && !$0.hasPrefix(".") }.sorted()
    }

    private static func reason(_ error: any Error, path: String) -> String {
        switch error {
        case ClientError.invalidState(_, let reason): reason
        case ClientError.unsafeStateFile(_, let reason): reason
        case is DecodingError: StateStore.describe(error)
        default: "\(error)"
        }
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
