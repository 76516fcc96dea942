import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A command whose event would exceed the log's size limit is refused as the engine's `invalid` — a code an
/// adapter maps —, naming none of the log's stream or event ids, and writes nothing.
@Suite struct OversizedCommandTests {
    @Test func aCommandOverTheLogsEventLimitIsInvalidWithoutIDsAndWritesNothing() async throws {
        let f = try await EngineFixture.make("oversized-command")
        // Each field within the bounds (1,000 options of 200 characters); forty of them make a form of ~8 MB.
        let fields = (0..<40).map { n in
            FieldDefinition(name: "choice\(n)", label: "Choice \(n)", type: .enumeration, options: (0..<FieldDefinition.maxOptions).map { i in
                let tag = "f\(n)o\(i)"
                return tag + String(repeating: "x", count: FieldDefinition.maxOptionLength - tag.count)
            })
        }
        let head = try await f.engine.store.headPosition()
        do {
            try await f.engine.execute(CustomerForm.self, id: UUID(), .define(group: "bulky", fields: fields), as: f.admin)
            Issue.record("an event over the log's limit was accepted")
        } catch let error as EngineError {
            #expect(error.code == .invalid)
            #expect(error.message.hasPrefix("the command is too large to record"))
            #expect(!error.message.contains("form-"))
            #expect(!error.message.contains("stream"))
            #expect(error.message.range(of: "[0-9a-f]{8}-[0-9a-f]{4}-", options: [.regularExpression, .caseInsensitive]) == nil)
        }
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }
}
