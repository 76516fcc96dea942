import CRMDomain
import Foundation

/// A report as a table of strings: a header and rows of cells, what the CLI and HTTP export as CSV.
///
/// ```swift
/// let table = ReportTable(rows: completions)        // rows of a ``ReportRow`` type
/// FileHandle.standardOutput.write(Data(table.csv().utf8))
/// ```
public struct ReportTable: Hashable, Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// The table of report rows of one type.
    public init<Row: ReportRow>(rows: [Row]) {
        self.init(header: Row.header, rows: rows.map(\.cells))
    }

    /// RFC 4180 CSV: CRLF line ends, a field quoted (quotes doubled) when it holds a comma, a quote, CR
    /// or LF; with `bom`, a UTF-8 byte-order mark first.
    public func csv(bom: Bool = false) -> String {
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let lines = ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }
        return (bom ? "\u{FEFF}" : "") + lines.joined()
    }
}

/// A row type of a report: its column names and its cells as text.
public protocol ReportRow {
    static var header: [String] { get }
    var cells: [String] { get }
}

/// Cell texts shared by the report rows: numbers as plain decimals (`.` separator, no grouping), absent
/// values as empty cells.
enum Cell {
    static func text(_ value: Decimal?) -> String { value.map { "\($0)" } ?? "" }
    static func text(_ value: Int?) -> String { value.map(String.init) ?? "" }
    static func text(_ value: String?) -> String { value ?? "" }
    static func text(_ value: Date?) -> String {
        value.map { $0.formatted(Date.ISO8601FormatStyle()) } ?? ""
    }
    static func text(_ month: RevenueMonth) -> String { month.description }
}
