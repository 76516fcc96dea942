import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The exploratory tester's requests: a warning threshold out of its metric's range, or of an unknown
/// metric, is refused naming the field, and nothing is written.
@Suite struct WarningThresholdHTTPTests {
    @Test func anOutOfRangeOrUnknownThresholdIsRefusedAndNothingIsWritten() async throws {
        try await LiveServer.with("warning-thresholds") { s in
            let head = try await s.engine.store.headPosition()
            for (body, field) in [(#"{"metric": "churnRiskThreshold", "value": -5}"#, "value"), (#"{"metric": "bogusMetric", "value": 5}"#, "metric"),
                                  (#"{"metric": "noContactDays", "value": -1}"#, "value"), (#"{"metric": "churnRiskMargin", "value": 500}"#, "value"),
                                  (#"{"metric": "churnRiskThreshold", "branch": "north", "value": 0}"#, "value")] {
                let answer = try await s.send(.POST, "/v1/settings/warning-thresholds", json: body)
                #expect(answer.status == 422 && text(answer.json["field"]) == field, "\(body): \(answer.status) \(answer.text)")
            }
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
            try await s.expect(.POST, "/v1/settings/warning-thresholds", #"{"metric": "churnRiskThreshold", "branch": "north", "value": 70}"#)
        }
    }
}
