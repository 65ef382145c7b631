/// A fast 64-bit hash of bytes (a wyhash-style multiply-fold). Stable across runs and machines, so
/// alert ids and state keys built on it are reproducible. Not a cryptographic hash.
public enum ByteHash {
    @inlinable @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    @inlinable public static func hash(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64 = 0) -> UInt64 {
        let p0: UInt64 = 0xa076_1d64_78bd_642f
        let p1: UInt64 = 0xe703_7ed1_a0b4_28db
        var h = seed ^ p0 ^ UInt64(bytes.count)
        guard let base = bytes.baseAddress else { return mix(h, p1) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = mix(h ^ w, p1)
            i += 8
        }
        if i < n {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                w |= UInt64(base[i]) << shift
                shift += 8
                i += 1
            }
            h = mix(h ^ w ^ 0xff, p1)
        }
        return mix(h, p0 ^ 0x5555)
    }

    @inlinable public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBufferPointer { hash($0, seed: seed) }
    }

    public static func hash(_ string: String, seed: UInt64 = 0) -> UInt64 {
        var s = string
        return s.withUTF8 { hash($0, seed: seed) }
    }

    /// Combines two hashes (order matters).
    @inlinable public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        mix(a ^ 0x2d35_8dcc_aa6c_78a5, b ^ 0x8bb8_4b93_962e_acc9)
    }
}
