/// The value of one ASCII hexadecimal digit (`0-9`, `a-f`, `A-F`), for `\xHH`, `%HH` and `\uHHHH` decoding.
public enum HexDigit {
    @inlinable @inline(__always)
    public static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c &- 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c &- 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c &- 55
        default: nil
        }
    }
}
