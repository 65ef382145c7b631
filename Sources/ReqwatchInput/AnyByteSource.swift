import ReqwatchCore

/// A `ByteSource` holding any other source, so `LineFramer` can frame what `InputOpener.open` returns.
///
/// `LineFramer(source: InputOpener.open(...))` picks this up automatically (see the `LineFramer` initialiser below).
/// The existential call costs one dynamic dispatch per `read` (64 KiB), not per line.
public struct AnyByteSource: ByteSource {
    /// The wrapped source.
    public var base: any ByteSource

    /// Wraps `base`.
    public init(_ base: any ByteSource) { self.base = base }

    /// The wrapped source's origin.
    public var origin: InputOrigin { base.origin }
    /// The wrapped source's raw byte count.
    public var rawBytesRead: Int64 { base.rawBytesRead }

    /// Reads from the wrapped source.
    /// - Throws: whatever the wrapped source throws.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReqwatchError) -> Int {
        try base.read(into: buffer)
    }
}

extension LineFramer where Source == AnyByteSource {
    /// Frames a source of any type (as returned by `InputOpener.open`).
    /// - Parameters: as `init(source:maxLineLength:readSize:)`. Disfavoured so a concrete or generic source keeps
    ///   the specialised framer; only an `any ByteSource` argument lands here.
    @_disfavoredOverload
    public init(source: any ByteSource, maxLineLength: Int = 65_536, readSize: Int = 65_536) {
        self.init(source: AnyByteSource(source), maxLineLength: maxLineLength, readSize: readSize)
    }
}
