import Foundation

/// doveadm's output formatters (`-f`), as doveadm 2.3 prints them.
enum DoveadmPrinter {
    enum Formatter: String {
        case flow, tab, table, json, pager
    }

    static func render(_ response: DoveadmResponse, _ formatter: Formatter) -> String {
        let keys = response.fields
        let fields = keys.map { response.titles[$0] ?? $0 }
        let hidden = Set(response.hiddenTitles.map { response.titles[$0] ?? $0 })
        switch formatter {
        case .flow:
            // `field=value …`, one line a row; a hidden title prints the value alone.
            return response.rows.map { row in
                zip(fields, row).map { hidden.contains($0) ? $1 : "\($0)=\($1)" }.joined(separator: " ") + "\n"
            }.joined()
        case .tab:
            guard !fields.isEmpty else { return "" }
            return ([fields] + response.rows).map { $0.joined(separator: "\t") + "\n" }.joined()
        case .table:
            guard !fields.isEmpty else { return "" }
            let showHeader = fields.contains { !hidden.contains($0) }
            let lines = (showHeader ? [fields] : []) + response.rows
            let widths = fields.indices.map { column in lines.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
            return lines.map { line in
                line.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: " ")
                    .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
            }.joined()
        case .json:
            let objects = response.rows.map { row in
                "{" + zip(keys, row).map { "\(quoted($0)):\(quoted($1))" }.joined(separator: ",") + "}"
            }
            return "[" + objects.joined(separator: ",") + "]"
        case .pager:
            // `field: value` a line (a value with line breaks on the lines after `field:`), rows separated by a form feed.
            return response.rows.map { row in
                zip(fields, row).map { field, value in
                    if hidden.contains(field) { return value + "\n" }
                    if value.contains("\n") { return "\(field):\n" + value + (value.hasSuffix("\n") ? "" : "\n") }
                    return "\(field): \(value)\n"
                }.joined()
            }.joined(separator: "\u{0C}\n")
        }
    }

    /// A JSON string, escaped as doveadm's JSON formatter escapes it.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
