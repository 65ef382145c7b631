import ReqwatchCore
import ReqwatchDetect
import ReqwatchTestSupport
import Testing

func match(_ inv: RouteInventory, _ method: HTTPMethod, _ path: String) -> (String, Bool, String?)? {
    var p = path
    return p.withUTF8 { b -> (String, Bool, String?)? in
        guard let m = inv.match(method: method, path: b) else { return nil }
        let param = m.paramRange.map { String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) }
        return (inv.templates[m.templateIndex], m.routeIndex != nil, param)
    }
}

@Suite struct RouteInventoryTests {
    @Test func yamlSpecWithServerBasePath() throws {
        let inv = try RouteInventory.parse(text: petSpec, origin: "spec.yaml")
        #expect(inv.routes.count == 4)
        #expect(match(inv, .get, "/v1/users/42")?.0 == "/v1/users/{id}")
        #expect(match(inv, .get, "/v1/users/42")?.2 == "42")
        // literal beats template
        #expect(match(inv, .get, "/v1/users/me")?.0 == "/v1/users/me")
        #expect(match(inv, .get, "/v1/users/me/")?.0 == "/v1/users/me")
        // path known, method not documented
        #expect(match(inv, .delete, "/v1/users/42")?.1 == false)
        #expect(match(inv, .get, "/users/42") == nil)
        #expect(inv.routes.first { $0.template == "/v1/home" }?.isPage == true)
    }

    @Test func jsonSpecWithServerVariables() throws {
        let inv = try RouteInventory.load(path: fixture("petstore.json"))
        #expect(inv.templates.sorted() == ["/api/v2/pets", "/api/v2/pets/mine", "/api/v2/pets/{petId}"])
        #expect(inv.routes.first { $0.method == .post }?.deprecated == true)
        #expect(inv.routes.first { $0.template == "/api/v2/pets/mine" }?.isPage == true)
        #expect(match(inv, .get, "/api/v2/pets/mine")?.0 == "/api/v2/pets/mine")
        #expect(match(inv, .head, "/api/v2/pets/7")?.1 == true)
    }

    @Test func plainRouteList() throws {
        let inv = try RouteInventory.load(path: fixture("routes.txt"))
        #expect(inv.routes.count == 4)
        #expect(match(inv, .delete, "/health")?.1 == true)
        #expect(match(inv, .get, "/orders/9")?.0 == "/orders/{id}")
        #expect(inv.routes.last?.isPage == true)
    }

    @Test func plainListReportsAllProblemsWithLines() {
        let text = "GET /ok\nFETCH /x\nGET nope\n# fine\nPOST /y wat\n"
        let e = #expect(throws: ReqwatchError.self) { try RouteInventory.parse(text: text, origin: "r.txt") }
        #expect(e?.code == .spec)
        #expect(e?.message.contains("r.txt:2:") == true)
        #expect(e?.message.contains("r.txt:3:") == true)
        #expect(e?.message.contains("r.txt:5:") == true)
        #expect(e?.message.contains("3 problems") == true)
    }

    @Test func specReportsAllProblemsWithLines() {
        let text = """
        openapi: 3.0.0
        paths:
          users/{id}:
            get: {}
          /orders:
            fetch: {}
            post: 12
        """
        let e = #expect(throws: ReqwatchError.self) { try RouteInventory.parse(text: text, origin: "s.yaml") }
        #expect(e?.message.contains("s.yaml:3:") == true)
        #expect(e?.message.contains("s.yaml:6:") == true)
        #expect(e?.message.contains("s.yaml:7:") == true)
    }

    @Test func missingFile() {
        let e = #expect(throws: ReqwatchError.self) { try RouteInventory.load(path: "/nonexistent/spec.yaml") }
        #expect(e?.code == .notFound)
    }
}
