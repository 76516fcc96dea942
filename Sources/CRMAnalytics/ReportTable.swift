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
    /// or LF; with `bom`, a UTF-8 byte-order mark first. Every cell, header included, goes through
    /// ``SpreadsheetCell/neutralised(_:)`` first, so no cell opens as a formula.
    public func csv(bom: Bool = false) -> String {
        func field(_ cell: String) -> String {
            let s = SpreadsheetCell.neutralised(cell)
            return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        let lines = ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }
        return (bom ? "\u{FEFF}" : "") + lines.joined()
    }
}

/// CSV cells that spreadsheet programs open as text, never as a formula (CSV injection, OWASP): the one
/// rule of every CSV the CLI and the HTTP API write (``ReportTable/csv(bom:)``), and its inverse for
/// `crm import`.
///
/// ```swift
/// SpreadsheetCell.neutralised("=HYPERLINK(\"http://x\",\"y\")")  // "'=HYPERLINK(\"http://x\",\"y\")"
/// SpreadsheetCell.neutralised("-12.5")                          // "-12.5" (a number stays a number)
/// SpreadsheetCell.restored("'@SUM(1)")                          // "@SUM(1)"
/// ```
public enum SpreadsheetCell {
    /// What a formula may start with: `=`, `+`, `-`, `@`, TAB and CR.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// `text` prefixed with a single quote when a spreadsheet would read it as a formula: when it starts
    /// with `=`, `+`, `-`, `@`, TAB or CR and is not a plain number (`-12.5`, `+3` stay as they are, so
    /// numeric columns stay numeric). A text that already is such a prefixed one (`'` then one of those
    /// characters, after any number of `'`) gets one more, so ``restored(_:)`` gives back exactly `text`.
    public static func neutralised(_ text: String) -> String {
        opensAsFormula(text) ? "'" + text : text
    }

    /// The inverse of ``neutralised(_:)``: a cell of `'` followed by a text it would have prefixed (`'=…`,
    /// `'+…`, `'-…`, `'@…`, `'` TAB …, `'` CR …, `''=…`) loses that one `'`; any other cell stays as it is.
    public static func restored(_ cell: String) -> String {
        guard cell.unicodeScalars.first == "'" else { return cell }
        let rest = String(Substring(cell.unicodeScalars.dropFirst()))
        return opensAsFormula(rest) ? rest : cell
    }

    /// Whether `text`, after any leading `'`, starts with a formula character and is not a plain number
    /// (as ``CRMDomain/Decimal/init(wholeText:exponent:)`` reads one: `-12.5`, `+3`, `.5`, `1e-3`).
    private static func opensAsFormula(_ text: String) -> Bool {
        let scalars = text.unicodeScalars.drop { $0 == "'" }
        guard let first = scalars.first, formulaStarts.contains(first) else { return false }
        return Decimal(wholeText: Substring(scalars)) == nil
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
