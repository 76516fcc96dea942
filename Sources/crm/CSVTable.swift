import CRMAnalytics
import CSV
import Foundation

/// A CSV file read whole: its header and its rows, each with the line it starts on (a quoted field may
/// span lines, so row numbers and line numbers differ).
struct CSVTable {
    struct Row {
        let line: Int
        let cells: [String]
    }

    let header: [String]
    let rows: [Row]

    /// The table with every cell, header included, as it was before an export neutralised it for
    /// spreadsheets (``SpreadsheetCell/restored(_:)``: `'=…` is `=…` again), so an exported file imports
    /// the values exported.
    func restoringNeutralisedCells() -> CSVTable {
        CSVTable(header: header.map(SpreadsheetCell.restored),
                 rows: rows.map { Row(line: $0.line, cells: $0.cells.map(SpreadsheetCell.restored)) })
    }
}

/// Reads a UTF-8 CSV file (a BOM is skipped; CRLF or LF line ends; RFC 4180 quotes).
func readCSV(_ path: String) throws -> CSVTable {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CLIError("cannot read \(path)", hint: "check the path and permissions", exit: .notFound)
    }
    guard var text = String(data: data, encoding: .utf8) else {
        throw CLIError("\(path) is not UTF-8", hint: "save the file as CSV UTF-8", exit: .usage)
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    if let line = unterminatedQuote(in: text) {
        // The reader would take the rest of the file into that one field, silently.
        throw CLIError("\(path) has a quote opened on line \(line) and never closed", hint: "close the quoted field on that line (a quote inside a field is written \"\")", exit: .usage)
    }
    let reader: CSVReader
    do {
        reader = try CSVReader(string: text, hasHeaderRow: true)
    } catch {
        throw CLIError("\(path) is not valid CSV (\(error))", hint: "check the header line's quotes", exit: .usage)
    }
    guard let header = reader.headerRow else { throw CLIError("\(path) is empty", hint: "the first line must name the columns", exit: .usage) }
    func span(_ cells: [String]) -> Int { 1 + cells.reduce(0) { $0 + $1.unicodeScalars.filter { $0 == "\n" }.count } }
    var line = 1 + span(header)
    var rows: [CSVTable.Row] = []
    while let cells = reader.next() {
        rows.append(CSVTable.Row(line: line, cells: cells))
        line += span(cells)
    }
    if let error = reader.error {
        throw CLIError("\(path) is not valid CSV near line \(line) (\(error))", hint: "check the quotes on that line", exit: .usage)
    }
    return CSVTable(header: header, rows: rows)
}

/// The line on which a quoted field opens that the file never closes, if any. As the reader reads it: a
/// quote opens a quoted field only at a field's start; inside one, a doubled quote (`""`) is a quote and a
/// single one closes it; a quote within an unquoted field (`Monitor 27"`) is a plain character.
func unterminatedQuote(in text: String) -> Int? {
    enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    var state = State.fieldStart
    var line = 1
    var opened = 1
    for scalar in text.unicodeScalars {
        if scalar == "\n" { line += 1 }
        switch (state, scalar) {
        case (.fieldStart, "\""):
            state = .quoted
            opened = line
        case (.fieldStart, ","), (.fieldStart, "\n"), (.unquoted, ","), (.unquoted, "\n"),
             (.quoteInQuoted, ","), (.quoteInQuoted, "\n"):
            state = .fieldStart
        case (.fieldStart, _):
            state = .unquoted
        case (.quoted, "\""):
            state = .quoteInQuoted
        case (.quoteInQuoted, "\""):
            state = .quoted
        case (.quoteInQuoted, _):
            state = .unquoted
        case (.unquoted, _), (.quoted, _):
            break
        }
    }
    return state == .quoted ? opened : nil
}
