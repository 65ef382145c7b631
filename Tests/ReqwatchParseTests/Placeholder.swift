import Testing

@Suite struct ReqwatchParsePlaceholderTests {
    @Test func placeholder() { #expect(Bool(true)) }
}
