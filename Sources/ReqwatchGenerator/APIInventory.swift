/// The documented API of the synthetic service: the inventory the generated traffic is drawn from, written as an
/// OpenAPI 3 YAML document (`openAPIYAML()`) or a plain `METHOD /path` list (`routesText()`).
///
/// Ghost endpoints the attacks use (`/api/v1/debug/users`, `/api/v1/internal/export`, `/api/v1/tables/{id}`),
/// `/healthz`, `/readyz`, static assets and `OPTIONS` preflights are deliberately *not* in it.
public enum APIInventory {
    /// One documented operation.
    public struct Operation: Sendable {
        public var method: String
        public var path: String
        public var summary: String
        /// A browser page answering `text/html` (`x-reqwatch-page: true`).
        public var page: Bool = false
        public var deprecated: Bool = false
        public var secured: Bool = true
    }

    /// The base URL written in `servers`.
    public static let serverURL = "https://api.example.com"

    /// Every documented operation, in a stable order.
    public static let operations: [Operation] = [
        Operation(method: "GET", path: "/", summary: "Home page", page: true, secured: false),
        Operation(method: "GET", path: "/login", summary: "Sign-in page", page: true, secured: false),
        Operation(method: "GET", path: "/dashboard", summary: "Customer dashboard", page: true),
        Operation(method: "GET", path: "/docs", summary: "Developer documentation", page: true, secured: false),
        Operation(method: "GET", path: "/pricing", summary: "Pricing page", page: true, secured: false),
        Operation(method: "GET", path: "/products", summary: "Product catalogue page", page: true, secured: false),
        Operation(
            method: "GET", path: "/products/{productId}", summary: "Product detail page", page: true, secured: false),
        Operation(method: "GET", path: "/account/settings", summary: "Account settings page", page: true),
        Operation(method: "GET", path: "/robots.txt", summary: "Crawler rules", secured: false),
        Operation(method: "GET", path: "/sitemap.xml", summary: "Sitemap", secured: false),
        Operation(method: "POST", path: "/api/v1/login", summary: "Exchange credentials for a token", secured: false),
        Operation(method: "POST", path: "/api/v1/logout", summary: "Revoke the session"),
        Operation(method: "POST", path: "/api/v1/token/refresh", summary: "Refresh an access token", secured: false),
        Operation(method: "GET", path: "/api/v1/users/me", summary: "The calling user"),
        Operation(method: "GET", path: "/api/v1/users/{userId}", summary: "A user"),
        Operation(method: "PUT", path: "/api/v1/users/{userId}", summary: "Update a user"),
        Operation(method: "GET", path: "/api/v1/orders", summary: "List own orders (paginated: page, per_page)"),
        Operation(method: "POST", path: "/api/v1/orders", summary: "Place an order"),
        Operation(method: "GET", path: "/api/v1/orders/{orderId}", summary: "An order"),
        Operation(method: "DELETE", path: "/api/v1/orders/{orderId}", summary: "Cancel an order"),
        Operation(method: "GET", path: "/api/v1/products", summary: "Search products", secured: false),
        Operation(method: "GET", path: "/api/v1/products/{productId}", summary: "A product", secured: false),
        Operation(
            method: "GET", path: "/api/v1/products/{productId}/reviews", summary: "Product reviews", secured: false),
        Operation(method: "GET", path: "/api/v1/invoices/{invoiceId}", summary: "An invoice"),
        Operation(method: "GET", path: "/api/v1/invoices/{invoiceId}/pdf", summary: "An invoice as PDF"),
        Operation(method: "GET", path: "/api/v1/accounts/{accountId}/settings", summary: "Account settings"),
        Operation(method: "PUT", path: "/api/v1/accounts/{accountId}/settings", summary: "Update account settings"),
        Operation(method: "GET", path: "/api/v1/cart", summary: "The cart"),
        Operation(method: "POST", path: "/api/v1/cart/items", summary: "Add a cart item"),
        Operation(method: "DELETE", path: "/api/v1/cart/items/{itemId}", summary: "Remove a cart item"),
        Operation(method: "GET", path: "/api/v1/notifications", summary: "Notifications"),
        Operation(method: "GET", path: "/api/v1/search", summary: "Full-text search", secured: false),
        Operation(
            method: "GET", path: "/api/v1/legacy/export", summary: "Bulk export (use /api/v2/exports)", deprecated: true
        ),
        Operation(method: "GET", path: "/api/v1/admin/users", summary: "Admin: list users"),
        Operation(method: "DELETE", path: "/api/v1/admin/users/{userId}", summary: "Admin: delete a user"),
        Operation(method: "GET", path: "/api/v1/admin/settings", summary: "Admin: settings"),
        Operation(method: "PUT", path: "/api/v1/admin/settings", summary: "Admin: update settings"),
        Operation(method: "GET", path: "/api/v1/admin/audit-log", summary: "Admin: audit log"),
        Operation(method: "POST", path: "/api/v2/auth/token", summary: "OAuth2 token endpoint", secured: false),
        Operation(method: "GET", path: "/api/v2/feed", summary: "Mobile home feed"),
        Operation(method: "GET", path: "/api/v2/products/{productId}", summary: "A product (v2)", secured: false),
        Operation(method: "GET", path: "/api/v2/customers/{customerId}", summary: "A customer record"),
        Operation(method: "GET", path: "/api/v2/users/{userId}/profile", summary: "Public profile", secured: false),
        Operation(method: "GET", path: "/api/v2/orders/{orderId}/tracking", summary: "Shipment tracking"),
        Operation(method: "POST", path: "/api/v2/exports", summary: "Start an export job"),
    ]

    /// `METHOD /path` per line, in `operations` order.
    public static func routesText() -> String {
        var s = "# Documented routes of the synthetic API (reqwatch-gen). One `METHOD /path` per line.\n"
        for op in operations { s += "\(op.method) \(op.path)\n" }
        return s
    }

    /// The OpenAPI 3.0 YAML document for the synthetic API.
    public static func openAPIYAML() -> String {
        var s = """
            openapi: 3.0.3
            info:
              title: Example Shop API (synthetic, reqwatch-gen)
              version: 2.4.0
              description: >-
                Inventory of the traffic written by reqwatch-gen. Browser pages carry x-reqwatch-page: true and
                answer text/html. /healthz, /readyz, static assets and CORS preflights are intentionally absent.
            servers:
              - url: \(serverURL)
            components:
              securitySchemes:
                bearerAuth:
                  type: http
                  scheme: bearer
            paths:

            """
        var byPath: [(String, [Operation])] = []
        for op in operations {
            if let i = byPath.firstIndex(where: { $0.0 == op.path }) {
                byPath[i].1.append(op)
            } else {
                byPath.append((op.path, [op]))
            }
        }
        for (path, ops) in byPath {
            s += "  \(path):\n"
            let params = parameterNames(path)
            if !params.isEmpty {
                s += "    parameters:\n"
                for p in params {
                    s +=
                        "      - name: \(p)\n        in: path\n        required: true\n        schema:\n          type: integer\n"
                }
            }
            for op in ops {
                var opID = op.method.lowercased()
                for seg in path.split(separator: "/") {
                    let word = String(seg.filter { $0.isLetter || $0.isNumber })
                    opID += word.prefix(1).uppercased() + word.dropFirst()
                }
                s += "    \(op.method.lowercased()):\n"
                s += "      operationId: \(opID == op.method.lowercased() ? opID + "Root" : opID)\n"
                s += "      summary: \"\(op.summary)\"\n"
                if op.deprecated { s += "      deprecated: true\n" }
                if op.page { s += "      x-reqwatch-page: true\n" }
                if !op.secured {
                    s += "      security: []\n"
                } else {
                    s += "      security:\n        - bearerAuth: []\n"
                }
                s += "      responses:\n"
                let ok = op.method == "POST" && path.hasSuffix("orders") ? "201" : "200"
                s += "        \"\(ok)\":\n          description: OK\n          content:\n"
                if op.page {
                    s += "            text/html:\n              schema:\n                type: string\n"
                } else if path.hasSuffix(".txt") || path.hasSuffix(".xml") {
                    s += "            text/plain:\n              schema:\n                type: string\n"
                } else if path.hasSuffix("/pdf") {
                    s +=
                        "            application/pdf:\n              schema:\n                type: string\n                format: binary\n"
                } else {
                    s += "            application/json:\n              schema:\n                type: object\n"
                }
                if op.secured { s += "        \"401\":\n          description: Unauthorized\n" }
                if !params.isEmpty { s += "        \"404\":\n          description: Not found\n" }
            }
        }
        return s
    }

    static func parameterNames(_ path: String) -> [String] {
        path.split(separator: "/").compactMap { seg in
            seg.hasPrefix("{") && seg.hasSuffix("}") ? String(seg.dropFirst().dropLast()) : nil
        }
    }
}
