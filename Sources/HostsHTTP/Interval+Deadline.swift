import HostsCore
import NIOCore

extension Interval {
    /// The deadline of something that starts now and may last this long.
    public var deadlineFromNow: NIODeadline { .now() + .milliseconds(Int64((seconds * 1000).rounded())) }
}
