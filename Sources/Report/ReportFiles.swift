/// The report's page files (`Sources/Report/Web`: its template and style sheet) as the build
/// compiled them in (`ReportFiles+Generated.swift`, written by scripts/embed-web).
public enum ReportFiles {
    /// `template` with each `{{name}}` replaced by `values[name]`, in one pass: a value that itself
    /// holds `{{…}}` (a file name or a title, say) is left as it is. The pages of `serve` and
    /// `inspect` are filled the same way.
    public static func fill(_ template: String, with values: [String: String]) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let name = String(rest[open.upperBound..<close.lowerBound])
            out += rest[..<open.lowerBound]
            out += values[name] ?? String(rest[open.lowerBound..<close.upperBound])
            rest = rest[close.upperBound...]
        }
        return out + rest
    }
}
