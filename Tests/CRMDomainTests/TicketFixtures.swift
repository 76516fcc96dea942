import CRMDomain
import EventSourcing
import Foundation
import Testing

// Shared fixtures of the ticket tests: a ticket opened at ticketT0 with a 60-minute response and 480-minute resolution SLA.


let ticketT0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01 00:00 UTC
func ticketMinute(_ m: Double) -> Date { ticketT0.addingTimeInterval(m * 60) }
let ticketID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-000000000001")!
let ticketCustomerID = UUID(uuidString: "7A1D0C2E-0000-4000-8000-0000000000C1")!

func ticketSLA(_ kind: TicketKind = .complaint, _ severity: TicketSeverity = .normal, response: Int = 60, resolution: Int = 480) -> SLADeadline {
    SLADeadline(kind: kind, severity: severity, responseMinutes: response, resolutionMinutes: resolution)
}

func openTicket(kind: TicketKind = .complaint, severity: TicketSeverity = .normal, subject: String = "Water bill too high",
                  department: String = "call-center") -> Ticket.Command {
    .open(id: ticketID, channel: .callCenter, kind: kind, severity: severity, customerID: ticketCustomerID,
          subject: subject, description: "Customer says the bill doubled", department: department, sla: ticketSLA(kind, severity))
}

extension Scenario where A == Ticket {
    /// Applies `command` at minute `m` after ticketT0.
    @discardableResult
    mutating func apply(_ command: Ticket.Command, atMinute m: Double, sourceLocation: SourceLocation = #_sourceLocation) -> [TicketEvent] {
        context.now = ticketMinute(m)
        return apply(command, sourceLocation: sourceLocation)
    }
}

/// A ticket opened at ticketT0 (response due at minute 60, resolution at minute 480), then the given steps.
func ticket(_ steps: [(Double, Ticket.Command)] = []) -> Scenario<Ticket> {
    var s = Scenario(Ticket.self, at: ticketT0)
    s.apply(openTicket())
    for (m, command) in steps { s.apply(command, atMinute: m) }
    return s
}

let toInProgress: [(Double, Ticket.Command)] = [(10, .assign(assignee: "emp-2")), (20, .startWork)]
let toResolved = toInProgress + [(100, .resolve(resolution: "Meter misread; bill corrected"))]
let toClosed = toResolved + [(200, .close(satisfaction: 4, comment: nil))]
