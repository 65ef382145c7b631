import Testing

@Suite struct ReqwatchEndToEndPlaceholderTests {
    @Test func placeholder() { #expect(Bool(true)) }
}
