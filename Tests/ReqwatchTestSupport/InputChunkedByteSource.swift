import ReqwatchCore
import ReqwatchInput

/// A test-only `ByteSource` serving a byte array in chunks whose sizes follow `chunks` (cycled), or random sizes.
/// Use it to prove that framing and parsing do not depend on how the input was split.
public final class ChunkedByteSource: ByteSource {
    /// The byte source's origin (`path`, index 0).
    public let origin: InputOrigin
    /// Bytes served so far.
    public var rawBytesRead: Int64 { Int64(position) }
    private let bytes: [UInt8]
    private let chunks: [Int]
    private var chunkIndex = 0
    private var position = 0
    private var rng: SplitMix64?
    private let failure: ReqwatchError?
    /// How many times `read` was called.
    public var readCalls = 0

    /// Serves `bytes` in chunks of `chunks` sizes (cycled; sizes below 1 count as 1), or of random sizes 1...9000
    /// when `seed` is set. `failure` is thrown once all bytes are served.
    public init(
        _ bytes: [UInt8], chunks: [Int] = [4096], seed: UInt64? = nil, failure: ReqwatchError? = nil,
        path: String = "test.log"
    ) {
        self.bytes = bytes
        self.chunks = chunks
        self.failure = failure
        self.rng = seed.map { SplitMix64(seed: $0) }
        origin = InputOrigin(path: path)
    }

    /// Serves the next chunk; throws `failure` (if any) once every byte was served, else returns 0.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int {
        readCalls += 1
        guard buffer.count > 0 else { return 0 }
        if position == bytes.count {
            if let failure { throw failure }
            return 0
        }
        var want: Int
        if var r = rng {
            want = Int(r.next() % 9000) + 1
            rng = r
        } else {
            want = chunks.isEmpty ? 4096 : max(1, chunks[chunkIndex % chunks.count])
            chunkIndex += 1
        }
        let n = min(want, buffer.count, bytes.count - position)
        bytes.withUnsafeBytes { src in
            guard let dst = buffer.baseAddress, let from = src.baseAddress else { return }
            dst.copyMemory(from: from + position, byteCount: n)
        }
        position += n
        return n
    }
}
