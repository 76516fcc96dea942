import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// What happens to a customer after it is created (R-CUS-1, R-CUS-5 to R-CUS-7): its status, merging
    /// duplicates, external keys, appointments and installations. Each is one customer command with the
    /// shape of every command route (``command(_:_:_:method:id:_:)``): unknown body fields refused,
    /// `If-Match`, `Idempotency-Key`, the written answer with `ETag`; a part of the customer (an appointment,
    /// an installation, a key) is named in the body, as a visit's cost line is. The engine authorizes.
    func addCustomerLifecycleRoutes(to v1: Group) {
        command(v1, "customers/:id/activate", Customer.self) { _, _ in .activate }
        command(v1, "customers/:id/archive", Customer.self) { _, body in .archive(reason: try body.optionalString("reason", max: 2000)) }
        command(v1, "customers/:id/restore", Customer.self) { _, _ in .restore }
        command(v1, "customers/:id/suspend", Customer.self) { _, body in .suspend(reason: try body.string("reason", max: 500)) }
        command(v1, "customers/:id/resume", Customer.self) { _, _ in .resume }
        command(v1, "customers/:id/transfer", Customer.self) { _, body in
            .transferOwnership(newHolder: try body.string("newHolder", max: 500), effective: try day(body, "effective"))
        }
        // Merging a duplicate is two commands: on the duplicate (it is final and frees its keys), then on the survivor.
        command(v1, "customers/:id/merge", Customer.self) { _, body in .markMerged(into: try body.uuid("survivorId")) }
        command(v1, "customers/:id/absorb", Customer.self) { _, body in
            .absorbDuplicate(duplicateID: try body.uuid("duplicateId"), contactIDs: try uuids(body, "contactIds"),
                             openWorkIDs: try uuids(body, "openWorkIds"))
        }

        command(v1, "customers/:id/external-keys", Customer.self) { _, body in
            .setExternalKey(ExternalKey(system: try body.string("system", max: 32), key: try body.string("key", max: 128)))
        }
        command(v1, "customers/:id/external-keys/remove", Customer.self) { _, body in .removeExternalKey(system: try body.string("system", max: 32)) }
        v1.get("customers/lookup") { request, context in try await customerByExternalKey(request, context) }

        command(v1, "customers/:id/appointments", Customer.self) { [engine] _, body in
            .scheduleAppointment(id: try body.optionalUUID("id") ?? engine.configuration.ids.next(), kind: try body.enumValue("kind", AppointmentKind.self),
                                 at: try body.date("at"), address: try body.string("address", max: 300), note: try body.optionalString("note", max: 2000))
        }
        command(v1, "customers/:id/appointments/reschedule", Customer.self) { _, body in
            .rescheduleAppointment(id: try body.uuid("appointmentId"), at: try body.date("at"), address: try body.optionalString("address", max: 300))
        }
        command(v1, "customers/:id/appointments/complete", Customer.self) { _, body in
            .completeAppointment(id: try body.uuid("appointmentId"), note: try body.optionalString("note", max: 2000))
        }
        command(v1, "customers/:id/appointments/cancel", Customer.self) { _, body in
            .cancelAppointment(id: try body.uuid("appointmentId"), reason: try body.optionalString("reason", max: 2000))
        }

        command(v1, "customers/:id/installations", Customer.self) { [engine] _, body in
            .addInstallation(id: try body.optionalUUID("id") ?? engine.configuration.ids.next(), address: try body.string("address", max: 300),
                             meterNumber: try body.string("meterNumber", max: 64))
        }
        command(v1, "customers/:id/installations/move", Customer.self) { _, body in
            .moveInstallation(id: try body.uuid("installationId"), address: try body.string("address", max: 300),
                              meterNumber: try body.optionalString("meterNumber", max: 64))
        }
        command(v1, "customers/:id/installations/remove", Customer.self) { _, body in
            .removeInstallation(id: try body.uuid("installationId"), reason: try body.optionalString("reason", max: 2000))
        }
    }

    /// GET `/v1/customers/lookup?externalKey=SYSTEM:KEY`: the customer holding that key (R-CUS-6), its own
    /// state as ``CustomerStateAnswer`` with `ETag` = its version and `Content-Location` = its URL; 404 when no
    /// customer holds the key or it lies outside the caller's scope (the engine's read decides, and audits it).
    func customerByExternalKey(_ request: Request, _ context: CRMRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // The key is looked up as held now: as of a past point, GET the customer (its Content-Location) with `asOf`.
        try refuseAsOf(request, "not available for this resource: GET /v1/customers/{id} with asOf")
        let text = QueryParameters(request: request).string("externalKey") ?? ""
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, (1...32).contains(parts[0].count), (1...128).contains(parts[1].count) else {
            throw Problem.invalid("externalKey", "expected SYSTEM:KEY, e.g. billing:A-17")
        }
        let key = ExternalKey(system: parts[0], key: parts[1])
        guard let holder = try await engine.holder(of: UniqueKey(namespace: "external-key:\(key.system)", key: key.key)),
              holder.category == Customer.category, let id = recordID(of: holder) else { throw Problem.notFound() }
        let (state, version) = try await engine.state(Customer.self, id: id, as: principal)
        var headers = HTTPFields()
        headers[.contentLocation] = "/v1/customers/" + id.lowercasedString
        return try JSONOutput.response(moneyAsText: CustomerStateAnswer(state, version: version), version: version, headers: headers)
    }
}
