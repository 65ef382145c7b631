import Testing

@Suite struct ReqwatchInputPlaceholderTests {
    @Test func placeholder() { #expect(Bool(true)) }
}
