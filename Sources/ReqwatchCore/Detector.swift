/// A windowed rule over request records. It uses event time only, never the wall clock, and keeps
/// its per-key state in bounded tables, so memory depends on configuration, not on the input.
public protocol Detector {
    /// The rule this detector reports.
    static var rule: Rule { get }
    /// Receives records in input order (within a few seconds of disorder). `batch` borrows the line
    /// arena: copy or hash anything kept past the call.
    mutating func observe(_ batch: borrowing RecordBatch, context: borrowing BatchContext, into alerts: inout [Alert])
    /// Called at end of input (scan) or on an idle flush (tail) to close any windows still open.
    mutating func finish(at time: Timestamp, into alerts: inout [Alert])
    /// Counters for the run summary (keys evicted from full tables, …).
    var statistics: [(String, Int)] { get }
    /// Writes the state later alerts depend on (open windows, incident cooldowns), for `reqwatch tail --state`
    /// and SIGHUP reloads. Keys idle for longer than any window or cooldown can still see at event time `now`
    /// (µs) may be left out. The default writes nothing (a stateless detector).
    func encodeState(into writer: inout StateWriter, now: Int64)
    /// Restores what `encodeState` wrote, possibly under a changed configuration (new thresholds apply at once;
    /// a window whose length changed starts empty). Throws `.state` on damaged bytes.
    mutating func restoreState(from reader: inout StateReader) throws(ReqwatchError)
}

extension Detector {
    public func encodeState(into writer: inout StateWriter, now: Int64) {}
    public mutating func restoreState(from reader: inout StateReader) throws(ReqwatchError) {}
}

/// What the detection stage derives once per record and shares between detectors: the client
/// identity and the route template. Indexed like `RecordBatch.records`.
public struct BatchContext: Sendable {
    /// Stable hash of who the client is (user, token fingerprint, or IP / IPv6 /64).
    public var clientKeys: [UInt64] = []
    /// Index of the record's route template in the route table; -1 when none.
    public var routeIDs: [Int32] = []
    /// Whether the route is in the inventory (spec or baseline); meaningless when no inventory is loaded.
    public var routeKnown: [Bool] = []
    /// Per route id: the route template's display text is `routeNames[routeIDs[i]]`.
    public var routeNames: [String] = []
    /// Per route id: `RouteFlags` bits (static asset, health check, known probe path, browser page, deprecated).
    public var routeFlags: [UInt8] = []
    /// Per route id: a hash of the route template's text. Detectors key per-route state on it rather than on the
    /// id, so saved state stays valid when a reload or restart numbers the routes differently.
    public var routeHashes: [UInt64] = []
    /// Per record: arena range of the identifier segment of the path (`/users/{id}` → `17`); absent when none.
    public var idRanges: [ByteRange] = []
    /// Per record: 0 when `idRanges` is a path segment; else a hash of the query parameter name whose value is the
    /// identifier (`/users?id=17`), so ids walked through a parameter are counted per (route, parameter).
    public var idParams: [UInt64] = []
    /// Per record: an allowlist (CIDR, user, user agent, route) covers it; detectors skip such records.
    public var allowlisted: [Bool] = []
    /// Per record: index of the documented operation (method + template) in the inventory's `routes`; -1 when none.
    /// Rules read the operation's `x-reqwatch-*` extensions through it.
    public var operations: [Int32] = []

    public init() {}

    /// The route template of record `index` (`GET /users/{id}` without the method: `/users/{id}`), if any.
    public func routeName(at index: Int) -> String? {
        guard index < routeIDs.count else { return nil }
        let id = Int(routeIDs[index])
        return id >= 0 && id < routeNames.count ? routeNames[id] : nil
    }

    public mutating func removeAll() {
        clientKeys.removeAll(keepingCapacity: true)
        routeIDs.removeAll(keepingCapacity: true)
        routeKnown.removeAll(keepingCapacity: true)
        idRanges.removeAll(keepingCapacity: true)
        idParams.removeAll(keepingCapacity: true)
        allowlisted.removeAll(keepingCapacity: true)
        operations.removeAll(keepingCapacity: true)
    }

    /// Stable hash of record `index`'s route template (0 when none).
    @inlinable public func routeKey(at index: Int) -> UInt64 {
        guard index < routeIDs.count else { return 0 }
        let id = Int(routeIDs[index])
        return id >= 0 && id < routeHashes.count ? routeHashes[id] : 0
    }

    /// `RouteFlags` bits of record `index`'s route (0 when none).
    @inlinable public func flags(at index: Int) -> UInt8 {
        guard index < routeIDs.count else { return 0 }
        let id = Int(routeIDs[index])
        return id >= 0 && id < routeFlags.count ? routeFlags[id] : 0
    }
}

/// Bits of `BatchContext.routeFlags`.
public enum RouteFlags {
    /// A static asset (`.css`, `.js`, images, fonts, `/favicon.ico`, `/robots.txt`, `/.well-known/…`).
    public static let staticAsset: UInt8 = 1
    /// A health check (`/health`, `/healthz`, `/ready`, `/live`, `/ping`, `/status`).
    public static let health: UInt8 = 2
    /// A known-sensitive probe path (`/.env`, `/.git/config`, `/wp-login.php`, traversal, …).
    public static let probe: UInt8 = 4
    /// The spec marks the route as a browser page.
    public static let page: UInt8 = 8
    /// The spec marks the route deprecated.
    public static let deprecated: UInt8 = 16
    /// The route lies in the API's namespace (its first segment is one a documented route starts with, a version
    /// like `v0`, or an API or debug name such as `api`, `graphql`, `swagger.json`, `actuator`, `debug`), so an
    /// undocumented answer there is a ghost endpoint; a web page outside it is not.
    public static let apiLike: UInt8 = 32
    /// The route matched a probe path only once normalised (percent-encoding, case, `//`, control bytes):
    /// an evasion attempt.
    public static let evasion: UInt8 = 64
}

/// Receives alerts in order. Writers flush per batch.
public protocol AlertSink {
    mutating func write(_ alerts: borrowing [Alert]) throws(ReqwatchError)
    mutating func flush() throws(ReqwatchError)
}
