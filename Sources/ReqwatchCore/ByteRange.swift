/// A slice of a `RecordBatch` arena, by offset. Records keep text fields as ranges, never as `String`.
///
/// `start == -1` marks a field the log did not have (`ByteRange.absent`), which is different from an
/// empty value (`count == 0`, for example `""` in JSON).
public struct ByteRange: Hashable, Sendable {
    public var start: Int32
    public var count: Int32

    @inlinable public init(start: Int32, count: Int32) {
        self.start = start
        self.count = count
    }

    @inlinable public init(start: Int, count: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.count = Int32(truncatingIfNeeded: count)
    }

    /// The field is not in the log line (or was `-` in NCSA formats).
    public static let absent = ByteRange(start: -1 as Int32, count: 0)

    @inlinable public var isPresent: Bool { start >= 0 }
    @inlinable public var isEmpty: Bool { count == 0 }
    @inlinable public var end: Int { Int(start) + Int(count) }
}
