import ReqwatchRedact

enum ReqwatchRedactFactory {
    static func make() throws -> Redactor { try Redactor(RedactConfiguration()) }
}
