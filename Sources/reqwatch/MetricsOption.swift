import ReqwatchCore
import ReqwatchEngine
import ReqwatchMetrics

/// `tail --metrics ADDR`: wires a `TailMetrics` into the pipeline and serves it on a loopback address.
/// Prints the address on stderr (with the port actually bound, so `127.0.0.1:0` can be used in tests).
func startMetrics(_ address: String, for pipeline: TailPipeline) throws(ReqwatchError) -> MetricsServer {
    let metrics = TailMetrics()
    pipeline.onRound = { metrics.update(from: $0) }
    pipeline.onAlerts = { metrics.observe(alerts: $0) }
    let server = try MetricsServer(address: address, metrics: metrics)
    try server.start()
    let port = server.boundPort() ?? server.port
    let host = server.host.contains(":") ? "[\(server.host)]" : server.host
    writeStderr("reqwatch: metrics on http://\(host):\(port)/metrics (and /healthz)\n")
    return server
}
