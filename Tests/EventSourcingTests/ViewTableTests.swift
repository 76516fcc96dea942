import EventSourcing
import Testing

@Suite struct ViewTableTests {
    @Test func tablesAreEqualByNameWhereverTheyAreMade() {
        let names = ["history", "history-by-stream", "history-by-customer", "history-stream-customer", "a", "", "歷史"]
        for a in names {
            for b in names {
                #expect((ViewTable(a) == ViewTable(b)) == (a == b))
                if a == b { #expect(ViewTable(a).hashValue == ViewTable(b).hashValue) }
            }
        }
        #expect(Set(names.map(ViewTable.init)).count == names.count)
    }
}
