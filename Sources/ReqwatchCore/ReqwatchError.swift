/// Where something happened: an input path, and when known the 1-based line and the byte offset
/// (in the decompressed stream, or in the compressed file for gzip damage; `offsetIsCompressed` says which).
public struct InputLocation: Hashable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int64?
    public var byteOffset: Int64?
    public var offsetIsCompressed: Bool

    public init(path: String, line: Int64? = nil, byteOffset: Int64? = nil, offsetIsCompressed: Bool = false) {
        self.path = path
        self.line = line
        self.byteOffset = byteOffset
        self.offsetIsCompressed = offsetIsCompressed
    }

    /// `logs/access.log.2.gz:1042 (byte 88120)`.
    public var description: String {
        var s = path
        if let line { s += ":\(line)" }
        if let byteOffset { s += " (\(offsetIsCompressed ? "compressed byte" : "byte") \(byteOffset))" }
        return s
    }
}

/// Every failure in reqwatch is a value with a code, a message and, where there is one, a location.
/// Messages never contain log content that could hold a secret: they name places, not values.
public struct ReqwatchError: Error, Sendable, CustomStringConvertible {
    /// A public struct over a private enum, so codes can be added without breaking switches.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Sendable {
            case io, notFound, gzipCorrupt, gzipTruncated, lineTooLong, config, spec, usage, format, output, state
        }
        private let wrapped: Wrapped
        private init(_ w: Wrapped) { wrapped = w }
        public static var io: Self { .init(.io) }
        public static var notFound: Self { .init(.notFound) }
        public static var gzipCorrupt: Self { .init(.gzipCorrupt) }
        public static var gzipTruncated: Self { .init(.gzipTruncated) }
        public static var lineTooLong: Self { .init(.lineTooLong) }
        public static var config: Self { .init(.config) }
        public static var spec: Self { .init(.spec) }
        public static var usage: Self { .init(.usage) }
        public static var format: Self { .init(.format) }
        public static var output: Self { .init(.output) }
        public static var state: Self { .init(.state) }
        /// Kebab-case name used in `--stats-json` and diagnostics (`gzip-truncated`).
        public var description: String {
            switch wrapped {
            case .gzipCorrupt: "gzip-corrupt"
            case .gzipTruncated: "gzip-truncated"
            case .lineTooLong: "line-too-long"
            case .notFound: "not-found"
            default: wrapped.rawValue
            }
        }
    }

    public var code: Code
    public var message: String
    public var location: InputLocation?
    /// `errno` when the failure came from a system call.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, location: InputLocation? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.errno = errno
    }

    public var description: String { location.map { "\($0): \(message)" } ?? message }
}
