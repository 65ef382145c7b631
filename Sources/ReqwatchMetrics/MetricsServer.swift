import FlyingFox
import FlyingSocks
import Foundation
import ReqwatchCore
import Synchronization

/// `tail --metrics ADDR`: serves `/metrics` (Prometheus text format 0.0.4) and `/healthz` on a loopback address,
/// with FlyingFox's HTTP server on Swift concurrency's threads while the tail loop runs on the main thread.
public final class MetricsServer: Sendable {
    public let host: String
    public let port: UInt16
    private let server: HTTPServer
    private let metrics: TailMetrics

    /// Accepts `127.0.0.1:9464`, `localhost:9464`, `[::1]:9464` (and any 127.0.0.0/8 address). Port 0 picks a
    /// free port (see `boundPort()`).
    /// - Throws: `.usage` for any other address: the endpoint has no authentication, so it never leaves the host.
    public init(address: String, metrics: TailMetrics) throws(ReqwatchError) {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw ReqwatchError(.usage, "--metrics '\(address)': expected HOST:PORT, e.g. 127.0.0.1:9464")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" { host = "127.0.0.1" }
        do {
            if host == "::1" {
                server = HTTPServer(address: try sockaddr_in6.inet6(ip6: host, port: port), timeout: 10, logger: .disabled)
            } else if let v4 = IPAddress(host), v4.isIPv4, v4.ipv4Value >> 24 == 127 {
                server = HTTPServer(address: try sockaddr_in.inet(ip4: host, port: port), timeout: 10, logger: .disabled)
            } else {
                throw ReqwatchError(.usage, "--metrics '\(address)': only loopback addresses (127.0.0.0/8, ::1, localhost) are served")
            }
        } catch let e as ReqwatchError {
            throw e
        } catch {
            throw ReqwatchError(.usage, "--metrics '\(address)': \(error)")
        }
        self.host = host
        self.port = port
        self.metrics = metrics
    }

    /// Starts listening in the background; waits (up to 5 s) until it does.
    /// - Throws: `.io` when the address cannot be bound (in use, …).
    public func start() throws(ReqwatchError) {
        let s = server
        let m = metrics
        let failure = Mutex<String?>(nil)
        Task {
            await s.appendRoute("GET /metrics") { _ in
                HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                             body: Data(m.scrape()))
            }
            await s.appendRoute("GET /healthz") { _ in
                HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("ok\n".utf8))
            }
            do { try await s.run() } catch { failure.withLock { $0 = "\(error)" } }
        }
        let deadline = MonotonicClockShim.now() + 5
        while MonotonicClockShim.now() < deadline {
            if let f = failure.withLock({ $0 }) {
                throw ReqwatchError(.io, "--metrics \(host):\(port): cannot listen: \(f)")
            }
            if boundPort() != nil { return }
            usleep(10_000)
        }
        throw ReqwatchError(.io, "--metrics \(host):\(port): the server did not start listening")
    }

    /// The port it listens on, once listening.
    public func boundPort() -> UInt16? {
        let s = server
        let result = Mutex<UInt16?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let addr = await s.listeningAddress
            if case .ip4(_, let port)? = addr { result.withLock { $0 = port } }
            if case .ip6(_, let port)? = addr { result.withLock { $0 = port } }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 }
    }

    public func stop() {
        let s = server
        let done = DispatchSemaphore(value: 0)
        Task {
            await s.stop(timeout: 1)
            done.signal()
        }
        _ = done.wait(timeout: .now() + 2)
    }
}

enum MonotonicClockShim {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
