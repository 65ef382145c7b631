import ReqwatchCore

/// One synthetic request, before it is written in a log format.
///
/// `time` is UTC microseconds. `user` is the authenticated user (`nil`: anonymous). `userAgent` is `nil` when the
/// header was absent (written `-`) and `""` when it was sent empty. `labels` are indices into the generator's label
/// table: the attack or trap instances this request belongs to (most requests belong to none).
public struct GeneratedRequest: Sendable {
    public var time: Int64
    public var ip: String
    public var user: String?
    public var method: String
    /// Path with its query string, exactly as sent (may hold `..`, `%2f` and other probe bytes).
    public var target: String
    public var status: Int
    public var bytes: Int
    public var referer: String?
    public var userAgent: String?
    /// Request duration in seconds.
    public var duration: Double
    public var labels: [Int32] = []
    /// When > 0, the generator re-schedules a copy this many seconds later (periodic sources: health checks).
    var repeatEvery: Double = 0

    /// Creates a request; see the type's documentation for field meanings.
    public init(
        time: Int64, ip: String, user: String?, method: String, target: String, status: Int, bytes: Int,
        referer: String?, userAgent: String?, duration: Double, labels: [Int32] = []
    ) {
        self.time = time
        self.ip = ip
        self.user = user
        self.method = method
        self.target = target
        self.status = status
        self.bytes = bytes
        self.referer = referer
        self.userAgent = userAgent
        self.duration = duration
        self.labels = labels
    }
}
