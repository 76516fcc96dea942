import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import NIOHTTP1
import Testing

/// A customer's lifecycle over real HTTP (R-CUS-1, R-CUS-5 to R-CUS-7): status changes, appointments,
/// installations, external keys and the lookup by key; scope, If-Match and bad bodies on the new routes.
@Suite(.serialized) struct CustomerLifecycleOverHTTPTests {
    static let anyID = "0190a1b2-0000-7000-8000-000000000009"

    /// Creates an active customer of `branch` and returns its id (lower case).
    static func customer(_ s: LiveServer, _ name: String, branch: String = "head-office", token: String? = nil) async throws -> String {
        let answer = try await s.send(.POST, "/v1/customers", token: token,
                                      json: #"{"kind": "person", "name": "\#(name)", "group": "residential", "branch": "\#(branch)", "status": "active"}"#)
        #expect(answer.status == 201, "\(answer.text.prefix(300))")
        return try #require(text(answer.json["id"])).lowercased()
    }

    /// The customer's own state just after a write (`?asOf=` the write's position).
    static func state(_ s: LiveServer, _ id: String, after write: LiveServer.Answer, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String: Any] {
        let position = try #require(text(write.json["position"]), "\(write.text.prefix(300))", sourceLocation: sourceLocation)
        return try await s.expect(.GET, "/v1/customers/\(id)?asOf=\(position)", sourceLocation: sourceLocation).json
    }

    @Test func aCustomerIsActivatedSuspendedResumedArchivedAndRestored() async throws {
        try await LiveServer.with("cus-status") { s in
            let created = try await s.expect(.POST, "/v1/customers", #"{"kind": "person", "name": "Li Wei", "group": "residential", "branch": "head-office"}"#, status: 201)
            let id = try #require(text(created.json["id"])).lowercased()
            #expect(try await Self.state(s, id, after: created)["status"] as? String == "prospect")

            // Resume before suspend is a domain refusal; nothing changes.
            let early = try await s.send(.POST, "/v1/customers/\(id)/resume")
            #expect(early.status == 422 && text(early.json["type"]) == "urn:crm:problem:rejected", "\(early.text)")

            let activated = try await s.expect(.POST, "/v1/customers/\(id)/activate")
            #expect(activated.header("ETag") == "\"2\"")
            #expect(try await Self.state(s, id, after: activated)["status"] as? String == "active")

            let suspended = try await s.expect(.POST, "/v1/customers/\(id)/suspend", #"{"reason": "unpaid bills"}"#)
            var state = try await Self.state(s, id, after: suspended)
            #expect(state["status"] as? String == "suspended" && state["suspensionReason"] as? String == "unpaid bills", "\(state)")
            // The 360 follows the status too.
            let view = try await s.expect(.GET, "/v1/customers/\(id)?consistentWith=\(text(suspended.json["position"]) ?? "")")
            #expect((view.json["profile"] as? [String: Any])?["status"] as? String == "suspended", "\(view.text.prefix(300))")

            let resumed = try await s.expect(.POST, "/v1/customers/\(id)/resume", "{}")
            state = try await Self.state(s, id, after: resumed)
            #expect(state["status"] as? String == "active" && state["suspensionReason"] == nil, "\(state)")

            let archived = try await s.expect(.POST, "/v1/customers/\(id)/archive", #"{"reason": "moved away"}"#)
            #expect(try await Self.state(s, id, after: archived)["isArchived"] as? Bool == true)
            // An archived customer refuses changes until restored.
            let refused = try await s.send(.POST, "/v1/customers/\(id)/suspend", json: #"{"reason": "x"}"#)
            #expect(refused.status == 422, "\(refused.text)")
            let restored = try await s.expect(.POST, "/v1/customers/\(id)/restore")
            state = try await Self.state(s, id, after: restored)
            #expect(state["isArchived"] as? Bool == false && state["status"] as? String == "active", "\(state)")

            let transferred = try await s.expect(.POST, "/v1/customers/\(id)/transfer", #"{"newHolder": "Li Na", "effective": "2026-01-15"}"#)
            #expect(try await Self.state(s, id, after: transferred)["transferredTo"] as? String == "Li Na")
        }
    }

    @Test func aScheduledAppointmentAppearsInTheCustomerAnswerUntilCompleted() async throws {
        try await LiveServer.with("cus-appointments") { s in
            let id = try await Self.customer(s, "Wang Fang")
            let appointment = "0190a1b2-0000-7000-8000-0000000000a1"
            let scheduled = try await s.expect(.POST, "/v1/customers/\(id)/appointments", """
                {"id": "\(appointment)", "kind": "install", "at": "2026-02-01T09:00:00Z", "address": "1 Main St", "note": "gate code 42"}
                """)
            var items = try await Self.state(s, id, after: scheduled)["appointments"] as? [[String: Any]] ?? []
            #expect(items.count == 1, "\(items)")
            #expect(text(items.first?["id"])?.lowercased() == appointment && items.first?["status"] as? String == "scheduled"
                    && items.first?["kind"] as? String == "install" && items.first?["at"] as? String == "2026-02-01T09:00:00Z", "\(items)")

            let rescheduled = try await s.expect(.POST, "/v1/customers/\(id)/appointments/reschedule", """
                {"appointmentId": "\(appointment)", "at": "2026-02-03T10:00:00Z", "address": "2 Side St"}
                """)
            items = try await Self.state(s, id, after: rescheduled)["appointments"] as? [[String: Any]] ?? []
            #expect(items.first?["at"] as? String == "2026-02-03T10:00:00Z" && items.first?["address"] as? String == "2 Side St", "\(items)")

            let completed = try await s.expect(.POST, "/v1/customers/\(id)/appointments/complete", #"{"appointmentId": "\#(appointment)", "note": "done"}"#)
            items = try await Self.state(s, id, after: completed)["appointments"] as? [[String: Any]] ?? []
            #expect(items.first?["status"] as? String == "completed", "\(items)")
            // A completed appointment can be neither completed nor cancelled again.
            let again = try await s.send(.POST, "/v1/customers/\(id)/appointments/cancel", json: #"{"appointmentId": "\#(appointment)"}"#)
            #expect(again.status == 422, "\(again.text)")
            // An unknown appointment is a 404 naming it.
            let unknown = try await s.send(.POST, "/v1/customers/\(id)/appointments/complete", json: #"{"appointmentId": "\#(Self.anyID)"}"#)
            #expect(unknown.status == 404 && text(unknown.json["field"]) == "appointmentId", "\(unknown.text)")

            let other = try await s.expect(.POST, "/v1/customers/\(id)/appointments", #"{"kind": "onSiteService", "at": "2026-03-01T08:00:00Z", "address": "1 Main St"}"#)
            let cancelled = try await s.expect(.POST, "/v1/customers/\(id)/appointments/cancel", """
                {"appointmentId": "\(text((try await Self.state(s, id, after: other)["appointments"] as? [[String: Any]])?.last?["id"]) ?? "")", "reason": "no longer needed"}
                """)
            items = try await Self.state(s, id, after: cancelled)["appointments"] as? [[String: Any]] ?? []
            #expect(items.map { $0["status"] as? String } == ["completed", "cancelled"], "\(items)")
        }
    }

    @Test func anInstallationIsAddedMovedAndRemoved() async throws {
        try await LiveServer.with("cus-installations") { s in
            let id = try await Self.customer(s, "Zhao Lei")
            let installation = "0190a1b2-0000-7000-8000-0000000000b1"
            let added = try await s.expect(.POST, "/v1/customers/\(id)/installations", #"{"id": "\#(installation)", "address": "1 Main St", "meterNumber": "M-1"}"#)
            var items = try await Self.state(s, id, after: added)["installations"] as? [[String: Any]] ?? []
            #expect(items.count == 1 && items.first?["meterNumber"] as? String == "M-1" && items.first?["isActive"] as? Bool == true, "\(items)")

            let moved = try await s.expect(.POST, "/v1/customers/\(id)/installations/move", #"{"installationId": "\#(installation)", "address": "9 New Rd", "meterNumber": "M-2"}"#)
            items = try await Self.state(s, id, after: moved)["installations"] as? [[String: Any]] ?? []
            #expect(items.first?["address"] as? String == "9 New Rd" && items.first?["meterNumber"] as? String == "M-2", "\(items)")

            let removed = try await s.expect(.POST, "/v1/customers/\(id)/installations/remove", #"{"installationId": "\#(installation)", "reason": "demolished"}"#)
            items = try await Self.state(s, id, after: removed)["installations"] as? [[String: Any]] ?? []
            #expect(items.first?["isActive"] as? Bool == false, "\(items)")
            let again = try await s.send(.POST, "/v1/customers/\(id)/installations/move", json: #"{"installationId": "\#(installation)", "address": "x"}"#)
            #expect(again.status == 422, "\(again.text)")
        }
    }

    @Test func anExternalKeyFindsItsCustomerAndNoOtherCustomerCanTakeIt() async throws {
        try await LiveServer.with("cus-keys") { s in
            let id = try await Self.customer(s, "Chen Jie")
            let other = try await Self.customer(s, "Chen Jun")
            #expect(try await s.send(.GET, "/v1/customers/lookup?externalKey=billing:A-17").status == 404)

            let set = try await s.expect(.POST, "/v1/customers/\(id)/external-keys", #"{"system": "billing", "key": "A-17"}"#)
            #expect((try await Self.state(s, id, after: set)["externalKeys"] as? [[String: Any]])?.first?["key"] as? String == "A-17")
            let found = try await s.expect(.GET, "/v1/customers/lookup?externalKey=billing:A-17")
            #expect(text(found.json["id"])?.lowercased() == id && found.header("ETag") == "\"2\"", "\(found.text.prefix(300))")
            #expect(found.header("Content-Location") == "/v1/customers/\(id)")

            let taken = try await s.send(.POST, "/v1/customers/\(other)/external-keys", json: #"{"system": "billing", "key": "A-17"}"#)
            #expect(taken.status == 409 && text(taken.json["type"]) == "urn:crm:problem:key-taken", "\(taken.text)")
            // The same key in another system is another key.
            try await s.expect(.POST, "/v1/customers/\(other)/external-keys", #"{"system": "network", "key": "A-17"}"#)
            let network = try await s.expect(.GET, "/v1/customers/lookup?externalKey=network:A-17")
            #expect(text(network.json["id"])?.lowercased() == other)

            try await s.expect(.POST, "/v1/customers/\(id)/external-keys/remove", #"{"system": "billing"}"#)
            #expect(try await s.send(.GET, "/v1/customers/lookup?externalKey=billing:A-17").status == 404)
            let unknown = try await s.send(.POST, "/v1/customers/\(id)/external-keys/remove", json: #"{"system": "billing"}"#)
            #expect(unknown.status == 404, "\(unknown.text)")
            // Freed, the key can be taken by the other customer.
            try await s.expect(.POST, "/v1/customers/\(other)/external-keys", #"{"system": "billing", "key": "A-17"}"#)
            #expect(text(try await s.expect(.GET, "/v1/customers/lookup?externalKey=billing:A-17").json["id"])?.lowercased() == other)
        }
    }

    @Test func aMergedDuplicateFreesItsKeysForTheSurvivorAndIsFinal() async throws {
        try await LiveServer.with("cus-merge") { s in
            let survivor = try await Self.customer(s, "Sun Li")
            let duplicate = try await Self.customer(s, "Sun Li (dup)")
            try await s.expect(.POST, "/v1/customers/\(duplicate)/external-keys", #"{"system": "billing", "key": "B-1"}"#)
            let merged = try await s.expect(.POST, "/v1/customers/\(duplicate)/merge", #"{"survivorId": "\#(survivor)"}"#)
            let state = try await Self.state(s, duplicate, after: merged)
            #expect(state["status"] as? String == "merged" && text(state["mergedInto"])?.lowercased() == survivor, "\(state)")
            let absorbed = try await s.expect(.POST, "/v1/customers/\(survivor)/absorb", #"{"duplicateId": "\#(duplicate)"}"#)
            #expect((try await Self.state(s, survivor, after: absorbed)["absorbed"] as? [String])?.map { $0.lowercased() } == [duplicate])
            try await s.expect(.POST, "/v1/customers/\(survivor)/external-keys", #"{"system": "billing", "key": "B-1"}"#)
            #expect(try await s.send(.POST, "/v1/customers/\(duplicate)/activate").status == 422)
        }
    }

    /// Every new route answers 404 for a customer outside the caller's scope, with a valid body, and writes nothing.
    @Test func anotherBranchsCustomerIsNotFoundOnEveryNewRoute() async throws {
        try await LiveServer.with("cus-scope") { s in
            let rights = Permission.Module.allCases.map { Permission(module: $0, actions: Permission.Action.allCases, scope: .branch("A")) }
            let (_, alice) = try await s.hire("Alice", branch: "A", permissions: rights)
            let id = try await Self.customer(s, "Customer of B", branch: "B")
            try await s.expect(.POST, "/v1/customers/\(id)/external-keys", #"{"system": "billing", "key": "B-9"}"#)
            let head = try await s.engine.store.headPosition()
            let calls: [(String, String)] = [
                ("activate", "{}"), ("archive", "{}"), ("restore", "{}"), ("suspend", #"{"reason": "r"}"#), ("resume", "{}"),
                ("transfer", #"{"newHolder": "Someone", "effective": "2026-01-15"}"#), ("merge", #"{"survivorId": "\#(Self.anyID)"}"#),
                ("absorb", #"{"duplicateId": "\#(Self.anyID)"}"#), ("external-keys", #"{"system": "billing", "key": "X-1"}"#),
                ("external-keys/remove", #"{"system": "billing"}"#),
                ("appointments", #"{"kind": "install", "at": "2026-02-01T09:00:00Z", "address": "a"}"#),
                ("appointments/reschedule", #"{"appointmentId": "\#(Self.anyID)", "at": "2026-02-01T09:00:00Z"}"#),
                ("appointments/complete", #"{"appointmentId": "\#(Self.anyID)"}"#), ("appointments/cancel", #"{"appointmentId": "\#(Self.anyID)"}"#),
                ("installations", #"{"address": "a", "meterNumber": "M"}"#),
                ("installations/move", #"{"installationId": "\#(Self.anyID)", "address": "b"}"#),
                ("installations/remove", #"{"installationId": "\#(Self.anyID)"}"#),
            ]
            for (verb, body) in calls {
                let answer = try await s.send(.POST, "/v1/customers/\(id)/\(verb)", token: alice, json: body)
                #expect(answer.status == 404 && text(answer.json["type"]) == "urn:crm:problem:not-found", "\(verb): \(answer.status) \(answer.text)")
            }
            let lookup = try await s.send(.GET, "/v1/customers/lookup?externalKey=billing:B-9", token: alice)
            #expect(lookup.status == 404 && text(lookup.json["type"]) == "urn:crm:problem:not-found", "\(lookup.text)")
            #expect(try await s.engine.store.headPosition() == head)
            // The administrator sees it.
            #expect(try await s.send(.GET, "/v1/customers/lookup?externalKey=billing:B-9").status == 200)
        }
    }

    @Test func aStaleIfMatchIsAPreconditionFailureAndWritesNothing() async throws {
        try await LiveServer.with("cus-if-match") { s in
            let id = try await Self.customer(s, "Xu Ming")
            try await s.expect(.POST, "/v1/customers/\(id)/suspend", #"{"reason": "checking"}"#, headers: [("If-Match", "\"1\"")])
            let head = try await s.engine.store.headPosition()
            let stale = try await s.send(.POST, "/v1/customers/\(id)/resume", headers: [("If-Match", "\"1\"")])
            #expect(stale.status == 412 && stale.header("ETag") == "\"2\"", "\(stale.status) \(stale.text)")
            #expect(text(stale.json["type"]) == "urn:crm:problem:conflict")
            #expect(try await s.engine.store.headPosition() == head)
            // With the same Idempotency-Key the write answers once and is replayed.
            let first = try await s.expect(.POST, "/v1/customers/\(id)/resume", headers: [("Idempotency-Key", "resume-1")])
            let again = try await s.expect(.POST, "/v1/customers/\(id)/resume", headers: [("Idempotency-Key", "resume-1")])
            #expect(again.header("Idempotent-Replayed") == "true" && text(again.json["version"]) == text(first.json["version"]))
        }
    }

    /// A body the adapter cannot read is a 400 naming the field; one that breaks a domain rule a 422 naming it.
    @Test func aBadBodyIsRefusedNamingTheField() async throws {
        try await LiveServer.with("cus-bad-bodies") { s in
            let id = try await Self.customer(s, "Ma Lin")
            let cases: [(String, String, String)] = [
                ("activate", #"{"why": "x"}"#, "why"),
                ("suspend", "{}", "reason"),
                ("suspend", #"{"reason": 5}"#, "reason"),
                ("transfer", #"{"newHolder": "N", "effective": "soon"}"#, "effective"),
                ("merge", #"{"survivorId": "not-a-uuid"}"#, "survivorId"),
                ("absorb", #"{"duplicateId": "\#(Self.anyID)", "contactIds": ["x"]}"#, "contactIds[0]"),
                ("external-keys", #"{"system": "billing"}"#, "key"),
                ("appointments", #"{"kind": "party", "at": "2026-02-01T09:00:00Z", "address": "a"}"#, "kind"),
                ("appointments", #"{"kind": "install", "at": "tomorrow", "address": "a"}"#, "at"),
                ("appointments/reschedule", #"{"appointmentId": 7, "at": "2026-02-01T09:00:00Z"}"#, "appointmentId"),
                ("installations", #"{"address": "a"}"#, "meterNumber"),
                ("installations/remove", "{}", "installationId"),
            ]
            let head = try await s.engine.store.headPosition()
            for (verb, body, field) in cases {
                let answer = try await s.send(.POST, "/v1/customers/\(id)/\(verb)", json: body)
                #expect(answer.status == 400 && text(answer.json["field"]) == field, "\(verb) \(body): \(answer.status) \(answer.text)")
            }
            // What parses but breaks a domain rule is the domain's refusal (422 `rejected`), naming the field too.
            for (verb, body, field) in [("external-keys", #"{"system": "Billing!", "key": "A"}"#, "externalKey"),
                                        ("appointments", #"{"kind": "install", "at": "2025-02-01T09:00:00Z", "address": "a"}"#, "at")] {
                let answer = try await s.send(.POST, "/v1/customers/\(id)/\(verb)", json: body)
                #expect(answer.status == 422 && text(answer.json["field"]) == field && text(answer.json["reason"]) == "invalid",
                        "\(verb) \(body): \(answer.status) \(answer.text)")
            }
            for query in ["", "?externalKey=", "?externalKey=billing", "?externalKey=:A", "?externalKey=billing:"] {
                let answer = try await s.send(.GET, "/v1/customers/lookup\(query)")
                #expect(answer.status == 400 && text(answer.json["field"]) == "externalKey", "\(query): \(answer.text)")
            }
            #expect(try await s.engine.store.headPosition() == head)
            let unknown = try await s.send(.POST, "/v1/customers/\(Self.anyID)/suspend", json: #"{"reason": "r"}"#)
            #expect(unknown.status == 404, "\(unknown.text)")
        }
    }
}
