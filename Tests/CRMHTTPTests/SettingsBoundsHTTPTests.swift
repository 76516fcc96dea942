import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// The reviewer's requests: SLA minutes and rule-chain task hours beyond ten years (or a task due time not
/// positive) and a branch time zone that is no IANA id are refused naming the field, with nothing written;
/// a number an integer field cannot hold (`1.5`) is a 400 naming that field, not the body.
@Suite struct SettingsBoundsHTTPTests {
    @Test func outOfRangeDeadlinesAndNonIANATimeZonesAreRefusedNamingTheFieldAndNothingIsWritten() async throws {
        try await LiveServer.with("settings-bounds") { s in
            let head = try await s.engine.store.headPosition()
            for (path, body, field) in [
                ("/v1/settings/sla", #"{"kind":"praise","severity":"low","responseMinutes":60,"resolutionMinutes":99999999999999}"#, "resolutionMinutes"),
                ("/v1/settings/sla", #"{"kind":"praise","severity":"low","responseMinutes":6000000,"resolutionMinutes":6000000}"#, "responseMinutes"),
                ("/v1/settings/ticket-rule-chains", #"{"kind":"faultRepair","minimumSeverity":"low","actions":[{"kind":"createTask","department":"x","dueInHours":99999999999}]}"#, "dueInHours"),
                ("/v1/settings/ticket-rule-chains", #"{"kind":"faultRepair","minimumSeverity":"low","actions":[{"kind":"createTask","department":"x","dueInHours":-24}]}"#, "dueInHours"),
                ("/v1/settings/time-zones", #"{"branch":"berlin","timeZone":"GMT+5"}"#, "timeZoneID"),
                ("/v1/settings/time-zones", #"{"branch":"berlin","timeZone":"EST"}"#, "timeZoneID"),
            ] {
                let answer = try await s.send(.POST, path, json: body)
                #expect(answer.status == 422 && text(answer.json["field"]) == field, "\(body): \(answer.status) \(answer.text)")
            }
            #expect(try await s.engine.store.headPosition() == head, "nothing written")
            try await s.expect(.POST, "/v1/settings/sla", #"{"kind":"praise","severity":"low","responseMinutes":60,"resolutionMinutes":5256000}"#)
            try await s.expect(.POST, "/v1/settings/time-zones", #"{"branch":"berlin","timeZone":"Europe/Berlin"}"#)
        }
    }

    @Test func aNumberAnIntegerFieldCannotHoldIsRefusedNamingTheField() async throws {
        try await LiveServer.with("settings-numbers") { s in
            for (path, body, field) in [
                ("/v1/settings/sla", #"{"kind":"praise","severity":"low","responseMinutes":1.5,"resolutionMinutes":60}"#, "responseMinutes"),
                ("/v1/settings/sla", #"{"kind":"praise","severity":"low","responseMinutes":60,"resolutionMinutes":1e30}"#, "resolutionMinutes"),
                ("/v1/settings/ticket-rule-chains", #"{"kind":"faultRepair","minimumSeverity":"low","actions":[{"kind":"notifyOwner"},{"kind":"createTask","department":"x","dueInHours":2.5}]}"#, "actions[1].dueInHours"),
                ("/v1/settings/reminder-lead-times", #"{"kind":"birthday","days":1.5}"#, "days"),
                // A fractional decimal (points) before the fractional integer is no culprit.
                ("/v1/settings/loyalty-accrual-rules", #"{"rules":[{"source":"spend","points":1.5,"currency":"CNY","validityMonths":2.5}]}"#, "rules[0].validityMonths"),
            ] {
                let answer = try await s.send(.POST, path, json: body)
                #expect(answer.status == 400 && text(answer.json["field"]) == field, "\(body): \(answer.status) \(answer.text)")
            }
            // A body padded with thousands of fractions is not searched number by number (each substitution copies
            // the containers on its path): still a 400, naming the body rather than the member.
            let padding = Array(repeating: "0.5", count: 8_000).joined(separator: ",")
            let padded = try await s.send(.POST, "/v1/settings/sla",
                                          json: #"{"kind":"praise","severity":"low","responseMinutes":1.5,"resolutionMinutes":60,"pad":[\#(padding)]}"#)
            #expect(padded.status == 400, "\(padded.status) \(padded.text)")
        }
    }
}
