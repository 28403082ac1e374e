#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension AtomicFile {
    /// Several files of one directory replaced (or removed) together, all or nothing: every new content is first
    /// written to its own fsynced temporary (a failure there removes them and changes nothing); then each file is
    /// renamed into place, the old one kept under a hidden name, and when a rename fails the ones already done are
    /// put back. A reader still sees each file whole, old or new; between the renames it can see some files new
    /// and others old, which is why the caller orders them (an index after the files it describes).
    public struct Batch {
        private enum Step {
            case replace(target: String, temporary: String)
            case remove(target: String)
        }

        private var steps: [Step] = []
        private var finished = false

        public init() {}

        /// Writes the temporary for `path` now; it replaces `path` at ``commit()``.
        public mutating func stage(_ bytes: some Collection<UInt8>, to path: String, options: Options = Options())
            throws(AtomicFileError)
        {
            let target = try AtomicFile.target(of: path, symlinks: options.symlinks)
            do {
                steps.append(
                    .replace(
                        target: target, temporary: try AtomicFile.writeTemporary(for: target, bytes, options: options)))
            } catch {
                discard()
                throw error
            }
        }

        /// `path` is removed at ``commit()`` (nothing happens when it does not exist by then).
        public mutating func stageRemoval(of path: String) {
            steps.append(.remove(target: path))
        }

        /// Renames everything into place in the order staged; on a failure, undoes the renames already made,
        /// removes the temporaries and throws the first error.
        public mutating func commit() throws(AtomicFileError) {
            precondition(!finished, "a batch is committed once")
            finished = true
            // (target, the old file's hidden name or nil when there was none)
            var done: [(String, String?)] = []
            var failure: AtomicFileError?
            for (position, step) in steps.enumerated() {
                switch step {
                case .replace(let target, let temporary):
                    let backup = Self.backupName(of: target)
                    let hadOld = link(target, backup) == 0
                    if !hadOld && errno != ENOENT {
                        failure = AtomicFileError(path: target, step: "keep the old version of", errno: errno)
                    } else if rename(temporary, target) != 0 {
                        failure = AtomicFileError(path: target, step: "replace", errno: errno)
                        if hadOld { unlink(backup) }
                    } else {
                        done.append((target, hadOld ? backup : nil))
                    }
                case .remove(let target):
                    let backup = Self.backupName(of: target)
                    if rename(target, backup) == 0 {
                        done.append((target, backup))
                    } else if errno != ENOENT {
                        failure = AtomicFileError(path: target, step: "remove", errno: errno)
                    }
                }
                if let failure {
                    for later in steps[position...] {
                        if case .replace(_, let temporary) = later { unlink(temporary) }
                    }
                    // Back out in reverse: each target gets its old file (or none) again.
                    for (target, backup) in done.reversed() {
                        if let backup { rename(backup, target) } else { unlink(target) }
                    }
                    throw failure
                }
            }
            for case (_, let backup?) in done { unlink(backup) }
            var directories: Set<String> = []
            for step in steps {
                switch step {
                case .replace(let target, _), .remove(let target): directories.insert(AtomicFile.directory(of: target))
                }
            }
            for directory in directories { AtomicFile.syncDirectory(directory) }
        }

        /// Removes the temporaries of a batch that will not be committed.
        public mutating func discard() {
            guard !finished else { return }
            finished = true
            for case .replace(_, let temporary) in steps { unlink(temporary) }
        }

        /// Same prefix as a temporary (so ``AtomicFile/removeStaleTemporaries(of:symlinks:)`` finds a crashed
        /// writer's leftovers), then `old-`.
        private static func backupName(of target: String) -> String {
            "\(AtomicFile.directory(of: target))/\(AtomicFile.temporaryPrefix(of: target))\(getpid())-old-"
                + "\(UInt32.random(in: 0...UInt32.max))"
        }
    }
}
