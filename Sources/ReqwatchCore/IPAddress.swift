/// An IPv4 or IPv6 address in 128 bits. IPv4 is stored IPv4-mapped (`::ffff:a.b.c.d`) so one type
/// and one hash serve both. Parsing and formatting live in `IPAddress+Text.swift`.
public struct IPAddress: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    @inlinable public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    @inlinable public init(ipv4: UInt32) {
        high = 0
        low = 0x0000_FFFF_0000_0000 | UInt64(ipv4)
    }

    /// The unspecified address `::`, used when a log line has no client address.
    public static let unspecified = IPAddress(high: 0, low: 0)

    @inlinable public var isIPv4: Bool { high == 0 && (low >> 32) == 0xFFFF }
    @inlinable public var ipv4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// The first `bits` bits kept, the rest zero (for /64 grouping and CIDR tests). For IPv4, `bits` counts
    /// within the 32-bit address.
    @inlinable public func masked(to bits: Int) -> IPAddress {
        var total = bits
        if isIPv4 { total = 96 + min(max(bits, 0), 32) }
        total = min(max(total, 0), 128)
        if total == 0 { return .unspecified }
        if total <= 64 {
            let mask: UInt64 = total == 64 ? ~0 : ~(~0 >> UInt64(total))
            return IPAddress(high: high & mask, low: 0)
        }
        let lowBits = total - 64
        let mask: UInt64 = lowBits == 64 ? ~0 : ~(~0 >> UInt64(lowBits))
        return IPAddress(high: high, low: low & mask)
    }
}

/// A network in CIDR notation, for `--trusted-proxy` and allowlists.
public struct CIDR: Hashable, Sendable {
    public var network: IPAddress
    /// Prefix length within the address family (0–32 for IPv4, 0–128 for IPv6).
    public var prefixLength: Int

    public init(network: IPAddress, prefixLength: Int) {
        self.network = network.masked(to: prefixLength)
        self.prefixLength = prefixLength
    }

    @inlinable public func contains(_ address: IPAddress) -> Bool {
        if network.isIPv4 != address.isIPv4 { return false }
        return address.masked(to: prefixLength) == network
    }
}
