import ArgumentParser
import CRMDomain
import CRMEngine
import Foundation

/// `crm customer activate|archive|restore|suspend|resume|transfer|merge ID …`: a customer's status (R-CUS-1,
/// R-CUS-7), each one customer command (writes; with `--server`, the matching `POST /v1/customers/{id}/…`).
extension CustomerCommand {
    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A prospect becomes active (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String

        func run() async throws { try await changeCustomer(id, store, "activate", { ([:], .activate) }, done: "Activated customer") }
    }

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Archive a customer: it refuses changes until restored (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Option(help: "Why.") var reason: String?

        func run() async throws {
            try await changeCustomer(id, store, "archive", { (body(["reason": reason]), .archive(reason: reason)) }, done: "Archived customer")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore an archived customer (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String

        func run() async throws { try await changeCustomer(id, store, "restore", { ([:], .restore) }, done: "Restored customer") }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend an active customer (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Option(help: "Why (required).") var reason: String

        func run() async throws {
            try await changeCustomer(id, store, "suspend", { (["reason": reason], .suspend(reason: reason)) }, done: "Suspended customer")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A suspended customer becomes active again (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String

        func run() async throws { try await changeCustomer(id, store, "resume", { ([:], .resume) }, done: "Resumed customer") }
    }

    struct Transfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Transfer an active account to a new holder (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Option(help: "The new account holder.") var to: String
        @Option(help: "The day it takes effect (YYYY-MM-DD).") var effective: String

        func run() async throws {
            try await changeCustomer(id, store, "transfer", {
                guard let day = LocalDate(effective) else { throw malformed("--effective", "not a date", hint: "give YYYY-MM-DD") }
                return (["newHolder": to, "effective": day.description], .transferOwnership(newHolder: to, effective: day))
            }, done: "Transferred customer")
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merge a duplicate into a survivor: the duplicate becomes final and frees its external keys, the survivor records it (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The duplicate's id.") var id: String
        @Option(help: "The survivor's id.") var into: String

        func run() async throws {
            try await changeCustomer(id, store, "merge", {
                let survivor = try customerID(into, "--into")
                return (["survivorId": survivor.lowercasedString], .markMerged(into: survivor))
            }, done: "Merged customer")
            // Only once the duplicate is final does the survivor record it: a second command (should it fail, send
            // `POST /v1/customers/{survivor}/absorb` through the server).
            try await changeCustomer(into, store, "absorb", {
                let duplicate = try customerID(id)
                return (["duplicateId": duplicate.lowercasedString], .absorbDuplicate(duplicateID: duplicate, contactIDs: [], openWorkIDs: []))
            }, done: "Recorded the duplicate on customer")
        }
    }
}

/// `crm customer appointment add|reschedule|complete|cancel` (R-CUS-5: appointments drive reminders).
struct AppointmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appointment", abstract: "Schedule, reschedule, complete and cancel a customer's appointments.",
        subcommands: [Add.self, Reschedule.self, Complete.self, Cancel.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Schedule an appointment; prints its id (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Option(help: "install, move, remove or onSiteService.") var kind: String
        @Option(help: "When (ISO 8601, not in the past).") var at: String
        @Option(help: "Where.") var address: String
        @Option(help: "A note.") var note: String?

        func run() async throws {
            let appointment = newRecordID()
            try await changeCustomer(id, store, "appointments", {
                guard let kind = AppointmentKind(rawValue: kind) else {
                    throw malformed("--kind", "not a kind of appointment", hint: "one of: " + AppointmentKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                let at = try parseInstant(at, "--at")
                return (body(["id": appointment.lowercasedString, "kind": kind.rawValue, "at": iso(at), "address": address, "note": note]),
                        .scheduleAppointment(id: appointment, kind: kind, at: at, address: address, note: note))
            }, done: "Scheduled appointment \(appointment.lowercasedString) for customer", part: ("appointmentId", appointment))
        }
    }

    struct Reschedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a scheduled appointment to a new time, and address when given (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Argument(help: "The appointment's id.") var appointment: String
        @Option(help: "The new time (ISO 8601).") var at: String
        @Option(help: "A new address.") var address: String?

        func run() async throws {
            try await changeCustomer(id, store, "appointments/reschedule", {
                let (appointmentID, at) = (try partID(appointment, "appointment"), try parseInstant(at, "--at"))
                return (body(["appointmentId": appointmentID.lowercasedString, "at": iso(at), "address": address]),
                        .rescheduleAppointment(id: appointmentID, at: at, address: address))
            }, done: "Rescheduled the appointment of customer")
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Complete a scheduled appointment (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Argument(help: "The appointment's id.") var appointment: String
        @Option(help: "A note.") var note: String?

        func run() async throws {
            try await changeCustomer(id, store, "appointments/complete", {
                let appointmentID = try partID(appointment, "appointment")
                return (body(["appointmentId": appointmentID.lowercasedString, "note": note]), .completeAppointment(id: appointmentID, note: note))
            }, done: "Completed the appointment of customer")
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a scheduled appointment (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Argument(help: "The appointment's id.") var appointment: String
        @Option(help: "Why.") var reason: String?

        func run() async throws {
            try await changeCustomer(id, store, "appointments/cancel", {
                let appointmentID = try partID(appointment, "appointment")
                return (body(["appointmentId": appointmentID.lowercasedString, "reason": reason]), .cancelAppointment(id: appointmentID, reason: reason))
            }, done: "Cancelled the appointment of customer")
        }
    }
}

/// `crm customer installation add|move|remove` (R-CUS-7).
struct InstallationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "installation", abstract: "Add, move and remove a customer's metered installations.", subcommands: [Add.self, Move.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an installation; prints its id (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Option(help: "Where.") var address: String
        @Option(help: "The meter number.") var meter: String

        func run() async throws {
            let installation = newRecordID()
            try await changeCustomer(id, store, "installations", {
                (["id": installation.lowercasedString, "address": address, "meterNumber": meter], .addInstallation(id: installation, address: address, meterNumber: meter))
            }, done: "Added installation \(installation.lowercasedString) to customer", part: ("installationId", installation))
        }
    }

    struct Move: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an installation to a new address, with a new meter when given (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Argument(help: "The installation's id.") var installation: String
        @Option(help: "The new address.") var address: String
        @Option(help: "A new meter number.") var meter: String?

        func run() async throws {
            try await changeCustomer(id, store, "installations/move", {
                let installationID = try partID(installation, "installation")
                return (body(["installationId": installationID.lowercasedString, "address": address, "meterNumber": meter]),
                        .moveInstallation(id: installationID, address: address, meterNumber: meter))
            }, done: "Moved the installation of customer")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an installation (final; writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Argument(help: "The installation's id.") var installation: String
        @Option(help: "Why.") var reason: String?

        func run() async throws {
            try await changeCustomer(id, store, "installations/remove", {
                let installationID = try partID(installation, "installation")
                return (body(["installationId": installationID.lowercasedString, "reason": reason]), .removeInstallation(id: installationID, reason: reason))
            }, done: "Removed the installation of customer")
        }
    }
}

/// `crm customer key set|remove` (R-CUS-6): one key per system, held by one customer only.
struct ExternalKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key", abstract: "Set and remove a customer's keys in external systems.", subcommands: [SetKey.self, Remove.self])

    struct SetKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Set (or replace) the customer's key in a system; a key another customer holds is refused (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Argument(help: "The system (lowercase), e.g. billing.") var system: String
        @Argument(help: "The key in that system.") var key: String

        func run() async throws {
            try await changeCustomer(id, store, "external-keys", { (["system": system, "key": key], .setExternalKey(ExternalKey(system: system, key: key))) },
                                     done: "Set the \(system) key of customer")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the customer's key in a system (writes).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The customer's id.") var id: String
        @Argument(help: "The system.") var system: String

        func run() async throws {
            try await changeCustomer(id, store, "external-keys/remove", { (["system": system], .removeExternalKey(system: system)) },
                                     done: "Removed the \(system) key of customer")
        }
    }
}

/// Sends one command to a customer (see ``changeRecord(_:_:resource:_:_:body:command:done:part:)``).
func changeCustomer(_ id: String, _ store: StoreOptions, _ path: String, _ make: () throws -> (body: [String: Any], command: Customer.Command),
                    done: String, part: (name: String, id: UUID)? = nil) async throws {
    try await reporting(data: store.data) {
        let customer = try customerID(id)
        let (body, command) = try make()
        try await changeRecord(Customer.self, customer, resource: "customers", store, path, body: body, command: command, done: done, part: part)
    }
}

/// Sends one command to a record of `A`: through the server (`POST v1/<resource>/<id>/<path>` with `body`)
/// or to the local engine. Prints `done <id>.` — "Nothing changed." when the command recorded nothing — or,
/// with `--json`, one line `{"id", "version", "changed"}` (plus `part`'s id, e.g. a new appointment's).
func changeRecord<A: EngineRecord>(_ type: A.Type, _ id: UUID, resource: String, _ store: StoreOptions, _ path: String,
                                   body: [String: Any], command: A.Command, done: String, part: (name: String, id: UUID)? = nil) async throws {
    let (version, changed): (UInt64, Bool)
    if let remote = try store.remote() {
        let answer = try await remote.post("v1/\(resource)/\(id.lowercasedString)/" + path, body)
        version = (answer["version"] as? NSNumber)?.uint64Value ?? 0
        changed = recordedEvents(answer)
    } else {
        let result = try await withEngine(store) { engine in
            try await engine.execute(A.self, id: id, command, as: try await store.principal(engine))
        }
        (version, changed) = (result.version.rawValue, !result.events.isEmpty)
    }
    if store.json {
        var line: [String: Any] = ["id": id.lowercasedString, "version": version, "changed": changed]
        if let part { line[part.name] = part.id.lowercasedString }
        out(jsonLine(line))
    } else {
        out(changed ? "\(done) \(id.lowercasedString)." : "Nothing changed.")
    }
}

/// Whether a server's answer to a command (`CommandAnswer`: the record's `version` and the `events` it
/// recorded) says the command recorded something; an answer without `events` is taken as a change.
func recordedEvents(_ answer: [String: Any]) -> Bool {
    guard let events = answer["events"] as? [Any] else { return true }
    return !events.isEmpty
}

/// A customer id given as argument or option `name` (exit 64 when it is none).
func customerID(_ text: String, _ name: String = "<id>") throws -> UUID {
    try parseID(text, name, "customer")
}

/// The id of a customer's appointment or installation, the argument named after `kind` (exit 64 when it is none).
private func partID(_ text: String, _ kind: String) throws -> UUID {
    try parseID(text, "<\(kind)>", kind)
}


/// A request body without the options not given.
private func body(_ fields: [String: Any?]) -> [String: Any] { fields.compactMapValues { $0 } }
