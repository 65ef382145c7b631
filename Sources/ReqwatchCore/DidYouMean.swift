/// ` (did you mean 'threshold'?)` when `key` is within edit distance 2 of a known key (or a prefix); else "".
public func didYouMean(_ key: String, _ known: [String]) -> String {
    func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
    let k = Array(String(key.lowercased().map { $0 == "-" ? "_" : $0 }).utf8)
    guard k.count <= 64 else { return "" }
    var best: (String, Int)?
    for c in known {
        let d = distance(k, Array(String(c.lowercased().map { $0 == "-" ? "_" : $0 }).utf8))
        if d <= max(1, min(2, c.count / 3)) && d < (best?.1 ?? Int.max) { best = (c, d) }
    }
    return best.map { " (did you mean '\($0.0)'?)" } ?? ""
}

