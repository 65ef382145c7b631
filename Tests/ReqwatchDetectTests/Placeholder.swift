import Testing

@Suite struct ReqwatchDetectPlaceholderTests {
    @Test func placeholder() { #expect(Bool(true)) }
}
