/// Event time: microseconds since the Unix epoch, UTC. Never wall-clock time in detectors.
public struct Timestamp: Hashable, Comparable, Sendable {
    public var microseconds: Int64

    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }
    @inlinable public init(seconds: Int64) { self.microseconds = seconds &* 1_000_000 }

    public static let zero = Timestamp(microseconds: 0)
    /// A record whose time could not be read; parsers report such lines as malformed instead.
    public static let unknown = Timestamp(microseconds: Int64.min)

    @inlinable public var seconds: Int64 {
        microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
    }

    @inlinable public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    @inlinable public func adding(seconds s: Int64) -> Timestamp { Timestamp(microseconds: microseconds &+ s &* 1_000_000) }
    @inlinable public func adding(microseconds us: Int64) -> Timestamp { Timestamp(microseconds: microseconds &+ us) }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    @inlinable public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Builds a UTC timestamp from calendar fields; `offsetSeconds` is the zone offset of the fields
    /// (`+0200` is 7200), which is subtracted to normalise to UTC.
    @inlinable public static func from(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int = 0,
        offsetSeconds: Int = 0
    ) -> Timestamp {
        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return Timestamp(microseconds: secs * 1_000_000 + Int64(microsecond))
    }

    /// Calendar fields of this instant in UTC.
    public var civil: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int) {
        let s = seconds
        let us = Int(microseconds - s * 1_000_000)
        var days = Int(s >= 0 ? s / 86_400 : (s - 86_399) / 86_400)
        let rem = Int(s - Int64(days) * 86_400)
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60, us)
    }

    /// RFC 3339 / ISO 8601 in UTC with millisecond precision: `2024-05-17T10:05:03.000Z`.
    public var iso8601: String {
        if self == .unknown { return "" }
        let c = civil
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):"
            + "\(pad(c.second, 2)).\(pad(c.microsecond / 1000, 3))Z"
    }
}

extension Timestamp: CustomStringConvertible {
    public var description: String { iso8601 }
}
