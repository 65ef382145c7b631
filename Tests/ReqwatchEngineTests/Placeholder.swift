import Testing

@Suite struct ReqwatchEnginePlaceholderTests {
    @Test func placeholder() { #expect(Bool(true)) }
}
