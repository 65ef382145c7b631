import Testing

@Suite struct ReqwatchRedactPlaceholderTests {
    @Test func placeholder() { #expect(Bool(true)) }
}
