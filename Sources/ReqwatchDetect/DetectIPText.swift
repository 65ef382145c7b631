import ReqwatchCore

// Temporary: the parse helper adds `IPAddress.description` / parsing in ReqwatchCore/IPAddress+Text.swift.
// Once merged, replace `detectFormatIP` and `detectParseIP` with those and delete this file.

/// Canonical text of an address: dotted quad for IPv4, RFC 5952 for IPv6 (longest zero run as `::`).
func detectFormatIP(_ ip: IPAddress) -> String {
    if ip.isIPv4 {
        let v = ip.ipv4Value
        return "\(v >> 24).\((v >> 16) & 255).\((v >> 8) & 255).\(v & 255)"
    }
    var groups: [UInt16] = []
    for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: ip.high >> UInt64(48 - 16 * i))) }
    for i in 0..<4 { groups.append(UInt16(truncatingIfNeeded: ip.low >> UInt64(48 - 16 * i))) }
    var bestStart = -1, bestLen = 0, i = 0
    while i < 8 {
        if groups[i] == 0 {
            var j = i
            while j < 8 && groups[j] == 0 { j += 1 }
            if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
            i = j
        } else { i += 1 }
    }
    var s = ""
    i = 0
    while i < 8 {
        if i == bestStart {
            s += "::"
            i += bestLen
            continue
        }
        if !s.isEmpty && !s.hasSuffix(":") { s += ":" }
        s += String(groups[i], radix: 16)
        i += 1
    }
    return s
}

/// Parses IPv4 dotted quad or IPv6 text (with `::`); nil when invalid. Config-time only.
func detectParseIP(_ text: String) -> IPAddress? {
    if text.contains(":") {
        let halves = text.split(separator: "::", maxSplits: 1, omittingEmptySubsequences: false)
        if halves.count > 2 { return nil }
        func groups(_ s: Substring) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            for g in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard g.count >= 1, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        var hi: UInt64 = 0, lo: UInt64 = 0
        for k in 0..<4 { hi = hi << 16 | UInt64(all[k]) }
        for k in 4..<8 { lo = lo << 16 | UInt64(all[k]) }
        return IPAddress(high: hi, low: lo)
    }
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    var v: UInt32 = 0
    for p in parts {
        guard p.count >= 1, p.count <= 3, let o = UInt8(p) else { return nil }
        v = v << 8 | UInt32(o)
    }
    return IPAddress(ipv4: v)
}

/// Parses `a.b.c.d/n`, `x::/n` or a bare address (full length); nil when invalid.
func detectParseCIDR(_ text: String) -> CIDR? {
    let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
    guard let ip = detectParseIP(String(parts[0])) else { return nil }
    let maxLen = ip.isIPv4 ? 32 : 128
    var len = maxLen
    if parts.count == 2 {
        guard let l = Int(parts[1]), l >= 0, l <= maxLen else { return nil }
        len = l
    }
    return CIDR(network: ip, prefixLength: len)
}
