import CRMAnalytics
import Testing

/// The CSV of reports and exports: cells a spreadsheet would run as formulas are neutralised, numbers are not,
/// and the import's inverse gives back every value.
@Suite struct ReportTableCSVTests {
    @Test("A cell starting with =, +, -, @, TAB or CR gets a leading quote in the CSV, header included")
    func formulaCellsAreNeutralised() {
        let table = ReportTable(header: ["=name", "value"], rows: [
            ["=HYPERLINK(\"http://x\",\"y\")", "@SUM(1)"],
            ["+cmd", "-cmd"],
            ["\tTab", "\r\nbreak"],
        ])
        #expect(table.csv() == "'=name,value\r\n"
            + "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@SUM(1)\r\n"
            + "'+cmd,'-cmd\r\n"
            + "'\tTab,\"'\r\nbreak\"\r\n")
    }

    @Test("Plain numbers, signed ones included, stay as they are so numeric columns stay numeric")
    func numbersAreNotNeutralised() {
        let table = ReportTable(header: ["a", "b", "c", "d"], rows: [["-12.5", "+3", "-0.25e-3", "-.5"], ["12", "", "2026-03", "x=1"]])
        #expect(table.csv() == "a,b,c,d\r\n-12.5,+3,-0.25e-3,-.5\r\n12,,2026-03,x=1\r\n")
        // Not numbers: a sign alone, two points, a money amount with its currency.
        #expect(["-", "-1.2.3", "-12.50 CNY", "+1e"].map(SpreadsheetCell.neutralised) == ["'-", "'-1.2.3", "'-12.50 CNY", "'+1e"])
    }

    @Test("Restoring a neutralised cell gives back exactly the value, also one that already started with a quote")
    func restoringIsTheInverse() {
        let values = ["=1+2", "@SUM(1)", "+cmd", "-cmd", "\tx", "\rx", "'=already", "''@twice", "'plain", "'", "-12.5", "'-12.5", "plain", "", "名字"]
        for value in values {
            #expect(SpreadsheetCell.restored(SpreadsheetCell.neutralised(value)) == value, "\(value.debugDescription)")
        }
        // What an import reads: `'` then a formula character loses the `'`; any other cell stays.
        #expect(SpreadsheetCell.restored("'=1+2") == "=1+2")
        #expect(SpreadsheetCell.restored("'plain") == "'plain")
        #expect(SpreadsheetCell.restored("'-12.5") == "'-12.5")
    }
}
