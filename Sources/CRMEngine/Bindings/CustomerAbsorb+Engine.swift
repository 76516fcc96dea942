import CRMDomain
import EventSourcing
import Foundation

extension Customer {
    /// What a person's `absorbDuplicate` may name (the system's commands are not judged): each contact id a
    /// contact of the duplicate — or one already moved from it to this survivor (the contacts move by their own
    /// command, before or after) — and each open-work id an open task (dispatched or accepted), an open ticket
    /// (open, assigned or in progress) or an open opportunity of the duplicate; each one a record `principal`
    /// may query. Else `invalid`, field `contactIds` / `openWorkIds`, nothing written, in the same words
    /// whether the id names no record, one beyond the caller's scope, another customer's or a closed one.
    /// Judged only once the principal may do the command (else authorization refuses it next, telling
    /// nothing of the ids), and not on a repeat of an absorb already recorded (the domain records nothing).
    static func requireDuplicatesRecords(duplicateID: UUID, contactIDs: [UUID], openWorkIDs: [UUID], command: Command, state: State,
                                         principal: Principal, engine: CRMEngine) async throws {
        guard let survivorID = state.id, !principal.isSystem, !state.absorbed.contains(duplicateID),
              !contactIDs.isEmpty || !openWorkIDs.isEmpty else { return }
        let now = engine.clock.now()
        guard try await mayDo(command, state: state, principal: principal, engine: engine, at: now) else { return }
        for id in contactIDs {
            if let contact = try await engine.queryableState(Contact.self, id: id, as: principal, at: now) {
                if contact.customerID == duplicateID { continue }
                if contact.customerID == survivorID, try await engine.contact(id, wasMovedFrom: duplicateID, to: survivorID) { continue }
            }
            throw EngineError(.invalid, field: "contactIds", "no contact of the duplicate you may see has this id")
        }
        for id in openWorkIDs {
            if let task = try await engine.queryableState(WorkTask.self, id: id, as: principal, at: now),
               task.status.isOpen, task.details?.customerID == duplicateID { continue }
            if let ticket = try await engine.queryableState(Ticket.self, id: id, as: principal, at: now),
               [.open, .assigned, .inProgress].contains(ticket.status), ticket.customerID == duplicateID { continue }
            if let opportunity = try await engine.queryableState(Opportunity.self, id: id, as: principal, at: now),
               opportunity.status == .open, opportunity.details?.customerID == duplicateID { continue }
            throw EngineError(.invalid, field: "openWorkIds", "no open task, ticket or opportunity of the duplicate you may see has this id")
        }
    }
}

extension CRMEngine {
    /// The state of record `id` of type `A` when it exists and `principal` may query it (as
    /// ``state(_:id:as:)`` judges it, without a read-audit entry: nothing of it is answered), else nil.
    func queryableState<A: EngineRecord>(_ type: A.Type, id: UUID, as principal: Principal, at now: Date) async throws -> A.State? {
        let loaded = try await load(A.self, stream: A.streamID(id))
        guard loaded.version != .noStream else { return nil }
        let scope = try await resolve(A.scope(of: nil, state: loaded.state, id: id))
        guard principal.may(.query, in: A.module, on: scope, at: now) || isPartysOwn(A.self, state: loaded.state, principal: principal),
              try await A.mayRead(loaded.state, scope: scope, as: principal, engine: self, at: now) else { return nil }
        return loaded.state
    }

    /// Whether contact `id`'s history holds a move from customer `from` to customer `to`.
    func contact(_ id: UUID, wasMovedFrom from: UUID, to: UUID) async throws -> Bool {
        let stream = Contact.stream(id)
        var next = StreamVersion.noStream.next
        while true {
            let batch = try await store.readStream(stream, from: next, direction: .forward, limit: 256)
            for recorded in batch where recorded.type == ContactMovedToCustomer.eventType {
                if let moved = try projectionEvent(recorded).payload as? ContactMovedToCustomer, moved.fromCustomerID == from, moved.toCustomerID == to {
                    return true
                }
            }
            guard batch.count == 256, let last = batch.last else { return false }
            next = last.streamVersion.next
        }
    }
}
