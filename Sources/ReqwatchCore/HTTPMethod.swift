/// The request method, decoded once per line. `other` keeps its text in `RequestRecord.methodText`.
public enum HTTPMethod: UInt8, Sendable, CaseIterable {
    case get, head, post, put, delete, patch, options, connect, trace, propfind, other, none

    public var name: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .patch: "PATCH"
        case .options: "OPTIONS"
        case .connect: "CONNECT"
        case .trace: "TRACE"
        case .propfind: "PROPFIND"
        case .other: "OTHER"
        case .none: ""
        }
    }
}
