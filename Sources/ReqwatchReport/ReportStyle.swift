import Crypto

/// The report's one stylesheet, and the Content-Security-Policy that allows exactly it.
///
/// The page has no script at all: the rule filter is radio buttons and `:checked` selectors, details are
/// `<details>`, chart tooltips are SVG `<title>`s. The policy allows no script, no connection, no frame, and
/// only this stylesheet (by its SHA-256), so neither injected markup nor inline `style` attributes take effect.
enum ReportStyle {
    static let base = """
        :root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--muted:#5d6677;--line:#e3e6eb;--accent:#2f5fd0;\
        --req:#9db7e8;--c4:#f0a830;--c5:#d9453b;--sev5:#a3129b;--sev4:#d9453b;--sev3:#f0a830;--sev2:#3f8fd2;--sev1:#8a94a6}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
        header{background:#1d2330;color:#fff;padding:18px 28px 14px}
        header h1{margin:0;font-size:22px;font-weight:650;letter-spacing:.2px}
        header h1 span{color:#9db7e8;font-weight:400}
        header p{margin:4px 0 0;color:#c5cad3;font-size:13px}
        nav{background:#262d3c;padding:0 28px;display:flex;gap:18px;flex-wrap:wrap}
        nav a{color:#c5cad3;text-decoration:none;padding:8px 0;font-size:13px}
        nav a:hover{color:#fff}
        main{max-width:1280px;margin:0 auto;padding:18px 28px 40px}
        section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 20px;margin:0 0 18px}
        h2{font-size:16px;margin:0 0 10px;font-weight:650}
        h2 small{font-weight:400;color:var(--muted);font-size:13px;margin-left:6px}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;background:none;border:0;padding:0}
        .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
        .card b{display:block;font-size:22px;font-weight:650}
        .card span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
        .card.alarm b{color:var(--sev4)}
        table{border-collapse:collapse;width:100%;font-size:13px}
        th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;border-bottom:2px solid var(--line);padding:6px 8px;white-space:nowrap}
        td{border-bottom:1px solid var(--line);padding:6px 8px;vertical-align:top}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tbody tr:hover{background:#f8f9fb}
        tr:target{background:#fff4cf}
        tr:target td:first-child{box-shadow:inset 4px 0 0 var(--accent)}
        code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
        td.t{white-space:nowrap}
        td.subj{min-width:230px}
        .muted{color:var(--muted)}
        .sev{display:inline-block;min-width:62px;text-align:center;border-radius:10px;padding:1px 8px;font-size:11px;font-weight:650;color:#fff;text-transform:uppercase}
        .sev5{background:var(--sev5)}.sev4{background:var(--sev4)}.sev3{background:var(--sev3)}.sev2{background:var(--sev2)}.sev1,.sev0{background:var(--sev1)}
        .rule{font-weight:600}
        .mitre{display:inline-block;margin-top:3px;font-size:11px;color:#4b3fa0;background:#eeebfb;border-radius:4px;padding:0 5px}
        details summary{cursor:pointer;color:var(--accent);font-size:12px;margin-top:4px}
        details table{margin-top:6px;background:#fafbfc}
        details td,details th{font-size:12px;padding:3px 6px}
        dl.ev{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0;font-size:12px}
        dl.ev dt{color:var(--muted)}dl.ev dd{margin:0}
        .filters{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 10px}
        .filters input{position:absolute;opacity:0;width:1px;height:1px}
        .filters label{border:1px solid var(--line);border-radius:14px;padding:3px 11px;font-size:12px;cursor:pointer;background:#fff}
        .filters label:hover{border-color:var(--accent)}
        .filters input:checked+label{background:var(--accent);border-color:var(--accent);color:#fff}
        .filters input:focus-visible+label{outline:2px solid var(--accent);outline-offset:2px}
        .cat{display:inline-block;border-radius:4px;padding:0 6px;font-size:11px;font-weight:600;white-space:nowrap}
        .cat-ghost{background:#fde2e0;color:#9b1c13}.cat-zombie{background:#fbe7c6;color:#7a4a00}
        .cat-probe{background:#eceef2;color:#4a5264}.cat-orphan{background:#e6eefc;color:#23479b}
        .cat-documented{background:#e3f4e8;color:#1c6b37}.cat-infrastructure,.cat-observed{background:#f1f2f4;color:#5d6677}
        .two{display:grid;grid-template-columns:1fr 1fr;gap:18px}
        @media (max-width:900px){.two{grid-template-columns:1fr}}
        .two section{margin:0}
        svg.chart{width:100%;height:auto;display:block}
        svg .grid{stroke:#e8ebf0;stroke-width:1}
        svg .axis{fill:#5d6677;font-size:11px}
        svg .lane{fill:#5d6677;font-size:10px}
        svg .req{fill:var(--req)}svg .c4{fill:var(--c4)}svg .c5{fill:var(--c5)}
        svg .hit{fill:transparent}svg .hit:hover{fill:rgba(29,35,48,.08)}
        svg .span{stroke-width:3;stroke-linecap:round;opacity:.45}
        svg a:hover circle{stroke:#1d2330;stroke-width:2}
        svg .m5{fill:var(--sev5);stroke:var(--sev5)}svg .m4{fill:var(--sev4);stroke:var(--sev4)}svg .m3{fill:var(--sev3);stroke:var(--sev3)}
        svg .m2{fill:var(--sev2);stroke:var(--sev2)}svg .m1,svg .m0{fill:var(--sev1);stroke:var(--sev1)}
        svg.mix{width:110px;height:10px;vertical-align:middle;margin-right:6px}
        svg.mix .s2{fill:#4caf6e}svg.mix .s3{fill:#5b8def}svg.mix .s4{fill:var(--c4)}svg.mix .s5{fill:var(--c5)}svg.mix .s0{fill:#b9bfca}
        svg.bar{width:120px;height:9px;vertical-align:middle}svg.bar rect{fill:var(--req)}
        .legend{display:flex;gap:16px;flex-wrap:wrap;font-size:12px;color:var(--muted);margin-top:6px}
        .legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
        .legend .lr{background:var(--req)}.legend .l4{background:var(--c4)}.legend .l5{background:var(--c5)}.legend .li{background:var(--sev4);border-radius:5px}
        .note{font-size:12px;color:var(--muted);margin:8px 0 0}
        footer{color:var(--muted);font-size:12px;text-align:center;padding:0 0 24px}
        """

    /// `'sha256-…'` of `css`, as a CSP source expression.
    static func hashSource(_ css: String) -> String {
        "'sha256-" + base64(Array(SHA256.hash(data: Array(css.utf8)))) + "'"
    }

    /// The policy for a page whose only stylesheet is `css`.
    static func policy(for css: String) -> String {
        "default-src 'none'; style-src \(hashSource(css)); img-src data:; base-uri 'none'; form-action 'none'"
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var i = 0
        while i + 2 < bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let v = UInt32(bytes[i]) << 16
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
