import ReqwatchCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads another `ByteSource` ahead on a background thread (so gzip inflation overlaps parsing).
///
/// A bounded ring of `slotCount` buffers of `slotSize` bytes sits between the threads (4 × 256 KiB by default), guarded
/// by a mutex and two condition variables, so memory stays bounded however fast the producer is. Bytes come out
/// exactly as the wrapped source produced them. An error from the wrapped source is forwarded in order: every byte
/// read before it is delivered first, then `read` throws it (and keeps throwing it).
///
/// The wrapped source is used only by the background thread after `init`. Dropping the reader stops the thread at
/// its next step; the thread owns the shared state, so nothing dangles if it is still inside a blocking read.
public final class ThreadedByteSource: ByteSource {
    /// The input this source reads (copied from the wrapped source).
    public let origin: InputOrigin
    /// Raw bytes the wrapped source has consumed so far (the producer may be ahead of the reader).
    public var rawBytesRead: Int64 { shared.rawBytesReadSnapshot() }

    private let shared: ThreadedRing
    private var thread: pthread_t?

    /// Starts the background thread reading `source`.
    /// - Parameters:
    ///   - slotCount: buffers in the ring (at least 2).
    ///   - slotSize: bytes per buffer (at least 1).
    /// - Throws: `.io` if the thread cannot be created.
    public init(wrapping source: any ByteSource, slotCount: Int = 8, slotSize: Int = 1024 * 1024) throws(ReqwatchError) {
        origin = source.origin
        shared = ThreadedRing(source: source, slotCount: max(2, slotCount), slotSize: max(1, slotSize))
        let context = Unmanaged.passRetained(shared).toOpaque()
        var t = pthread_t()
        let rc = pthread_create(
            &t, nil,
            { raw in
                guard let raw else { return nil }
                let ring = Unmanaged<ThreadedRing>.fromOpaque(raw).takeRetainedValue()
                ring.produce()
                return nil
            }, context)
        guard rc == 0 else {
            Unmanaged<ThreadedRing>.fromOpaque(context).release()
            throw ReqwatchError(
                .io, "cannot start read-ahead thread", location: InputLocation(path: source.origin.path), errno: rc)
        }
        thread = t
    }

    deinit {
        shared.cancel()
        if let thread { pthread_detach(thread) }
    }

    /// Copies the next bytes produced by the background thread; blocks while the ring is empty.
    /// - Throws: the wrapped source's error, after all bytes read before it.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int {
        try shared.consume(into: buffer)
    }
}

/// State shared by the reader and the producer thread of a `ThreadedByteSource`.
private final class ThreadedRing: @unchecked Sendable {
    private var source: any ByteSource  // producer thread only
    private let slotCount: Int
    private let slotSize: Int
    private let storage: UnsafeMutableRawPointer
    private var counts: [Int]
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let notEmpty: UnsafeMutablePointer<pthread_cond_t>
    private let notFull: UnsafeMutablePointer<pthread_cond_t>

    // Guarded by `mutex`.
    private var head = 0
    private var filled = 0
    private var ended = false
    private var failure: ReqwatchError?
    private var cancelled = false
    private var rawBytes: Int64 = 0

    // Reader only.
    private var readPosition = 0

    init(source: any ByteSource, slotCount: Int, slotSize: Int) {
        self.source = source
        self.slotCount = slotCount
        self.slotSize = slotSize
        storage = UnsafeMutableRawPointer.allocate(byteCount: slotCount * slotSize, alignment: 16)
        counts = Array(repeating: 0, count: slotCount)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        notEmpty = .allocate(capacity: 1)
        notEmpty.initialize(to: pthread_cond_t())
        pthread_cond_init(notEmpty, nil)
        notFull = .allocate(capacity: 1)
        notFull.initialize(to: pthread_cond_t())
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
        storage.deallocate()
    }

    func rawBytesReadSnapshot() -> Int64 {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return rawBytes
    }

    func cancel() {
        pthread_mutex_lock(mutex)
        cancelled = true
        pthread_cond_broadcast(notFull)
        pthread_mutex_unlock(mutex)
    }

    /// Producer loop: fill free slots until end of input, an error, or cancellation.
    func produce() {
        var tail = 0
        while true {
            pthread_mutex_lock(mutex)
            while filled == slotCount && !cancelled { pthread_cond_wait(notFull, mutex) }
            let stop = cancelled
            pthread_mutex_unlock(mutex)
            if stop { return }
            // The slot at `tail` is not visible to the reader until `filled` grows, so fill it unlocked.
            let slot = UnsafeMutableRawBufferPointer(start: storage + tail * slotSize, count: slotSize)
            var n = 0
            var error: ReqwatchError?
            do {
                n = try source.read(into: slot)
            } catch let e {
                error = e
            }
            let raw = source.rawBytesRead
            pthread_mutex_lock(mutex)
            rawBytes = raw
            if let error {
                failure = error
            } else if n == 0 {
                ended = true
            } else {
                counts[tail] = n
                filled += 1
            }
            let done = error != nil || n == 0
            pthread_cond_signal(notEmpty)
            pthread_mutex_unlock(mutex)
            if done { return }
            tail = (tail + 1) % slotCount
        }
    }

    /// Reader side: copy from the head slot, waiting for the producer when the ring is empty.
    func consume(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        pthread_mutex_lock(mutex)
        while filled == 0 && !ended && failure == nil { pthread_cond_wait(notEmpty, mutex) }
        if filled == 0 {
            let failure = failure
            pthread_mutex_unlock(mutex)
            if let failure { throw failure }
            return 0
        }
        let slotIndex = head
        let available = counts[slotIndex] - readPosition
        pthread_mutex_unlock(mutex)
        let n = min(available, buffer.count)
        out.copyMemory(from: storage + slotIndex * slotSize + readPosition, byteCount: n)
        readPosition += n
        if n == available {
            readPosition = 0
            pthread_mutex_lock(mutex)
            head = (head + 1) % slotCount
            filled -= 1
            pthread_cond_signal(notFull)
            pthread_mutex_unlock(mutex)
        }
        return n
    }
}
