import EventSourcing
import Foundation
import Testing

/// The hand-written UUID text forms give exactly what Foundation gives.
@Suite struct UUIDTextTests {
    @Test func theLowercaseFormIsFoundationsTextLowercased() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(id.lowercasedString == id.uuidString.lowercased())
        }
        let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(zero.lowercasedString == "00000000-0000-0000-0000-000000000000")
    }

    @Test func textIsReadWhereFoundationReadsItAndRefusedWhereItRefuses() {
        for _ in 0..<1_000 {
            let id = UUID()
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: id.lowercasedString) == id)
            #expect(UUID(text: Substring("x" + id.uuidString).dropFirst()) == id)
        }
        let samples = [
            "019AC993-B359-7056-A44B-64406E42C19E", "019ac993-b359-7056-a44b-64406e42c19e", "019aC993-B359-7056-a44B-64406E42C19E",
            "", "019AC993B3597056A44B64406E42C19E", "019AC993-B359-7056-A44B-64406E42C19", "019AC993-B359-7056-A44B-64406E42C19EE",
            "019AC993-B359-7056-A44B_64406E42C19E", "019AC99G-B359-7056-A44B-64406E42C19E", " 019AC993-B359-7056-A44B-64406E42C19E",
            "{019AC993-B359-7056-A44B-64406E42C19E}", "0-0-0-0-0",
        ]
        for text in samples {
            #expect(UUID(text: text) == UUID(uuidString: text), "\(text)")
        }
        // Foundation's sscanf lets a space stand before a hex digit; that is not a UUID's text form.
        #expect(UUID(text: "019AC993-B359-7056-A44B-64406E42C1 E") == nil)
    }
}
