import HostsCore

/// Pure edits of the segment list; each throws a user-facing error and leaves the config untouched on failure.
extension ClientConfig {
    enum Position: Equatable {
        case first
        case last
        case before(String)
    }

    mutating func add(_ segment: SegmentConfig) throws {
        try ClientContext.validateName(segment.name)
        guard index(of: segment.name) == nil else { throw ClientError.segmentExists(segment.name) }
        segments.append(segment)
    }

    mutating func remove(_ name: String) throws -> SegmentConfig {
        guard let position = index(of: name) else { throw ClientError.unknownSegment(name) }
        return segments.remove(at: position)
    }

    /// Returns whether anything changed.
    mutating func setEnabled(_ name: String, _ enabled: Bool) throws -> Bool {
        guard let position = index(of: name) else { throw ClientError.unknownSegment(name) }
        let changed = segments[position].enabled != enabled
        segments[position].enabled = enabled
        return changed
    }

    /// Order is precedence: the first segment wins a conflict.
    mutating func move(_ name: String, to position: Position) throws {
        guard let from = index(of: name) else { throw ClientError.unknownSegment(name) }
        if case .before(let other) = position {
            guard index(of: other) != nil else { throw ClientError.unknownSegment(other) }
            guard other != name else { throw ClientError.invalidArguments("cannot move '\(name)' before itself") }
        }
        let segment = segments.remove(at: from)
        switch position {
        case .first: segments.insert(segment, at: 0)
        case .last: segments.append(segment)
        case .before(let other): segments.insert(segment, at: index(of: other)!)
        }
    }
}
