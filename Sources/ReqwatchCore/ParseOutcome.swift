/// What a parser made of one line. A malformed line is data, not an exception.
public enum ParseOutcome: Sendable, Equatable {
    /// The record is filled in.
    case record
    /// Nothing to parse and nothing wrong (an empty line, a `#` comment of W3C-style headers).
    case skip
    case malformed(MalformedReason)
}

/// Why a line was not a record. Counted per reason in the run summary.
public enum MalformedReason: UInt8, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    case lineTooLong
    case binaryGarbage
    case missingField
    case badClientAddress
    case badTimestamp
    case badRequestLine
    case badStatus
    case badBytes
    case badJSON
    case notJSONObject
    case unknownFormat
    case other

    public var description: String {
        switch self {
        case .lineTooLong: "line-too-long"
        case .binaryGarbage: "binary-garbage"
        case .missingField: "missing-field"
        case .badClientAddress: "bad-client-address"
        case .badTimestamp: "bad-timestamp"
        case .badRequestLine: "bad-request-line"
        case .badStatus: "bad-status"
        case .badBytes: "bad-bytes"
        case .badJSON: "bad-json"
        case .notJSONObject: "not-a-json-object"
        case .unknownFormat: "unknown-format"
        case .other: "other"
        }
    }
}
