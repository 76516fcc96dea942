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
    // Read through a handle, not `FileManager.contents(atPath:)`: that answers nil for a device or a pipe
    // (`/dev/null`, `<(…)`), which is a file to read here.
    let data: Data
    do {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw CocoaError(.fileReadNoSuchFile) }
        defer { try? handle.close() }
        data = try handle.readToEnd() ?? Data()
    } catch {
        throw CLIError("cannot read \(path)", hint: "check the path and permissions", exit: .notFound)
    }
    guard var text = String(data: data, encoding: .utf8) else {
        throw CLIError("\(path) is not UTF-8", hint: "save the file as CSV UTF-8", exit: .usage)
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    if text.allSatisfy(\.isWhitespace) {
        throw CLIError("\(path) is empty", hint: "the first line must name the columns", exit: .usage)
    }
    switch quoteProblem(in: text) {
    case nil:
        break
    case .unclosed(let line):
        // The reader would take the rest of the file into that one field, silently.
        throw CLIError("\(path) has a quote opened on line \(line) and never closed", hint: "close the quoted field on that line (a quote inside a field is written \"\")", exit: .usage)
    case .stray(let line):
        // The reader would keep the field open up to the next quote, taking the rows between into it, silently.
        throw CLIError("\(path) has a quoted field opened on line \(line) with text after its closing quote", hint: "quote the whole field and write a quote inside it as \"\" (\"\"\"called\"\" twice\")", exit: .usage)
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

/// A quote the reader would read otherwise than the file's author meant.
enum QuoteProblem: Equatable {
    /// A quoted field opened on this line and never closed: the reader takes the rest of the file into it.
    case unclosed(line: Int)
    /// A quoted field opened on this line with text after its closing quote (`"called" twice`): the reader keeps
    /// the field open up to the next quote, taking the rows between into it.
    case stray(line: Int)
}

/// The first quote the file misuses, if any. As the reader reads it: a quote opens a quoted field only at a
/// field's start; inside one, a doubled quote (`""`) is a quote and a single one closes it, and only a comma
/// or a line end may follow it; a quote within an unquoted field (`Monitor 27"`) is a plain character.
/// Lines end with LF, CRLF or a lone CR.
func quoteProblem(in text: String) -> QuoteProblem? {
    enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    var state = State.fieldStart
    var line = 1
    var opened = 1
    var previous: Unicode.Scalar = "\0"
    for scalar in text.unicodeScalars {
        defer { previous = scalar }
        let lineEnd = scalar == "\r" || scalar == "\n"
        if scalar == "\r" || (scalar == "\n" && previous != "\r") { line += 1 }
        switch state {
        case .fieldStart:
            if scalar == "\"" {
                state = .quoted
                opened = line
            } else if scalar != "," && !lineEnd {
                state = .unquoted
            }
        case .unquoted:
            if scalar == "," || lineEnd { state = .fieldStart }
        case .quoted:
            if scalar == "\"" { state = .quoteInQuoted }
        case .quoteInQuoted:
            if scalar == "\"" {
                state = .quoted
            } else if scalar == "," || lineEnd {
                state = .fieldStart
            } else {
                // The closing quote is followed by text: reported on the line the field opens on.
                return .stray(line: opened)
            }
        }
    }
    return state == .quoted ? .unclosed(line: opened) : nil
}
