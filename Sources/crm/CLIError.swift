import ArgumentParser
import CRMDomain
import CRMEngine
import EventSourcing
import EventStoreLMDB
import Foundation

/// What the command line refuses or fails at: a message, what to do next, and the documented exit code
/// (docs/CLI.md). The text never holds payloads or personal data.
struct CLIError: Error, CustomStringConvertible {
    /// The documented exit codes.
    enum Exit: Int32 {
        case failure = 1
        case faults = 2
        case storeInUse = 3
        case notFound = 4
        case refused = 5
        case usage = 64
    }

    let message: String
    let hint: String?
    let exit: Exit
    /// The input field a server's refusal named (its problem's `field`), if any.
    let field: String?

    init(_ message: String, hint: String? = nil, exit: Exit = .failure, field: String? = nil) {
        self.message = message
        self.hint = hint
        self.exit = exit
        self.field = field
    }

    var description: String { message }

    /// A store another process writes, for a command that must write it.
    static func storeInUse(_ data: String, pid: Int32?) -> CLIError {
        CLIError(
            "the data directory \(data) is held by another process" + (pid.map { " (pid \($0), probably `crm serve`)" } ?? ""),
            hint: "stop that process, or send this command through the running server with `--server URL --token T`",
            exit: .storeInUse)
    }

    /// Any error translated to what the user sees and the exit code.
    static func from(_ error: any Error, data: String) -> CLIError {
        switch error {
        case let error as CLIError:
            return error
        case let error as EventStoreError:
            switch error.code {
            case .storeInUse: return storeInUse(data, pid: error.ownerPID)
            case _ where isDamage(error): return CLIError("the store is damaged: \(error)", hint: "run `crm verify`, then restore the last good backup with `crm restore`", exit: .faults)
            default: return CLIError(error.code == .storage ? "\(error)" : "storage: \(error)", hint: "check the data directory (--data) and its permissions, or the PostgreSQL log's URL (--store)")
            }
        case ViewError.unknownProjection(let name):
            // A view never built in --data, read beside a process that holds it (one building its views).
            return CLIError("no view \(name) in \(data) yet",
                            hint: "views are built when the store is opened for writing (`crm serve`, `crm rebuild`, or this command when no other process holds it): try again once that is done",
                            exit: .notFound)
        case let error as ViewError:
            return CLIError("views: \(error)", hint: "the views are built when the store is opened for writing: start `crm serve` or run `crm rebuild`")
        case let error as EngineError:
            // The code, then the input field the engine names with its message (`rejected: meterType: is required`).
            let message = "\(error.code): " + fieldDetail(error.field, error.message)
            switch error.code {
            case .notFound: return CLIError(message, hint: "check the id (`crm customer list`, `crm task list`, `crm token list --employee ID` show them)", exit: .notFound, field: error.field)
            // The domain found no such record (a task, a ticket): not found, as the table of exit codes says.
            case .rejected where error.domain?.code == .notFound:
                return CLIError(message, hint: "check the id", exit: .notFound, field: error.field)
            case .unauthenticated: return CLIError(message, hint: "create a token with `crm token create`", exit: .refused, field: error.field)
            case .forbidden: return CLIError(message, hint: "act as an employee who holds that permission (--token), or as the operator (no token)", exit: .refused, field: error.field)
            // The storage failed or a view stopped: not a refusal of the caller's request.
            case .unavailable: return CLIError(message, hint: "`crm stats` shows each view's state", exit: .failure, field: error.field)
            default: return CLIError(message, exit: .refused, field: error.field)
            }
        default:
            return CLIError("\(error)")
        }
    }
}

/// Whether `error` says a store's files are damaged (``EventStoreError/Code/corrupted``): LMDB found a page it
/// cannot use, or a data file whose header is no LMDB environment's any more (the store reports both).
func isDamage(_ error: EventStoreError) -> Bool {
    error.code == .corrupted
}

/// A refusal's detail with the input field it names, as `field: detail` (the detail alone without one).
func fieldDetail(_ field: String?, _ detail: String) -> String {
    guard let field, !field.isEmpty, !detail.hasPrefix(field + ":") else { return detail }
    return "\(field): \(detail)"
}

/// Runs a subcommand's body: an error is printed to standard error with what to do next, and the process
/// exits with the error's documented code.
func reporting(data: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        // An interruption that removes the scratch directories makes the work fail on the way: the process
        // ends by the signal (the handler is on it), not with this error.
        ScratchDirectory.awaitInterruption()
        ProgressPrinter.interrupted()
        throw report(CLIError.from(error, data: data))
    }
}

/// Prints `error` and its hint to standard error; the exit to throw. Every error gets a hint: its own, or
/// one for its kind.
func report(_ error: CLIError) -> ExitCode {
    var text = "error: \(error.message)\n"
    let fallback: String
    switch error.exit {
    case .usage: fallback = "see `crm help <subcommand>` for the options and their forms"
    case .refused: fallback = "the command was refused as it stands: check the values given and the record's current state (`crm show`)"
    case .notFound: fallback = "check the id or the directory given"
    case .faults: fallback = "run `crm verify` to see every fault"
    case .storeInUse: fallback = "stop that process, or send the command through the running server (`--server URL --token T`)"
    case .failure: fallback = "`crm stats` shows the store's and the views' state"
    }
    text += "hint: \(error.hint ?? fallback)\n"
    emit(Data(text.utf8), to: .standardError)
    return ExitCode(error.exit.rawValue)
}

/// An id given on the command line as a UUID: `name` is the argument or option it was given as (`<id>`,
/// `--employee`), `kind` what it names. A malformed one is bad usage (exit 64), said by naming the argument,
/// never by repeating the text given: it may be personal data (a name typed where the id belongs).
func parseID(_ text: String, _ name: String, _ kind: String) throws -> UUID {
    guard let id = UUID(text: text) else {
        throw malformed(name, "not \(article(kind)) \(kind) id", hint: "give the \(kind)'s id, a UUID")
    }
    return id
}

/// Bad usage (exit 64) of argument or option `name`: `name: detail`, as a refusal naming an input field is said
/// (docs/CLI.md), without the value given.
func malformed(_ name: String, _ detail: String, hint: String? = nil) -> CLIError {
    CLIError("\(name): \(detail)", hint: hint, exit: .usage)
}

/// `a` or `an` before `word`.
private func article(_ word: String) -> String {
    word.first.map { "aeiou".contains($0) } == true ? "an" : "a"
}
