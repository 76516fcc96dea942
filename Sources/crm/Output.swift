import CRMEngine
import EventStoreLMDB
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes to standard output.
func out(_ line: String) {
    emit(Data((line + "\n").utf8))
}

/// Writes a message for the person at the terminal to standard error (never payloads or personal data).
func note(_ line: String) {
    emit(Data((line + "\n").utf8), to: .standardError)
}

/// Writes `data` to `handle` (standard output by default). When the reader went away (`crm dump | head`)
/// the process ends as `cat` would, by SIGPIPE and quietly: Foundation's non-throwing `write` traps there
/// and printed a crash report. Any other failure to write ends it with EX_IOERR: there is nowhere left to
/// say what went wrong.
func emit(_ data: Data, to handle: FileHandle = .standardOutput) {
    do {
        try handle.write(contentsOf: data)
    } catch {
        let failure = error as NSError
        let underlying = failure.userInfo[NSUnderlyingErrorKey] as? NSError
        if failure.code == Int(EPIPE) || underlying?.code == Int(EPIPE) {
            signal(SIGPIPE, SIG_DFL)
            raise(SIGPIPE)
        }
        exit(74)
    }
}

/// A readable table: columns padded to their widest cell (by characters; wide CJK glyphs count as two).
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(displayWidth)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], displayWidth(cell)) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            i == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[i] - displayWidth(cell)))
        }.joined(separator: "  ")
    }
    out(line(header))
    out(line(widths.map { String(repeating: "-", count: $0) }))
    for row in rows { out(line(row)) }
}

/// Columns a string takes in a terminal: East Asian wide characters take two.
func displayWidth(_ text: String) -> Int {
    text.unicodeScalars.reduce(0) { width, scalar in
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6:
            return width + 2
        default:
            return width + 1
        }
    }
}

/// A value as one line of JSON (sorted keys, so output is stable).
func jsonLine(_ value: Any) -> String {
    guard JSONSerialization.isValidJSONObject(value),
          let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else {
        return "null"
    }
    return String(decoding: data, as: UTF8.self)
}

/// Pretty JSON for `--json` output of one document.
func jsonPretty(_ value: Any) -> String {
    guard JSONSerialization.isValidJSONObject(value),
          let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]) else {
        return "null"
    }
    return String(decoding: data, as: UTF8.self)
}

/// An instant as ISO 8601 in UTC with milliseconds, cut down (never rounded up): an event's time shown so,
/// given back as `--as-of` (which takes the whole millisecond written, ``parsePoint(_:_:)``), includes it.
func iso(_ date: Date) -> String {
    // The nearest microsecond first (what the stores keep: an event's time is a whole number of them), then
    // the millisecond it falls in.
    let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
    guard micros.isFinite, abs(micros) < 1e18 else { return ISO8601DateFormatter().string(from: date) }
    let millis = Int64(micros) >= 0 ? Int64(micros) / 1000 : (Int64(micros) - 999) / 1000
    let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    let whole = formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
    let fraction = String(millis - seconds * 1000)
    return String(whole.dropLast()) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
}

/// Progress of long work on standard error: a bar with rate and ETA on a terminal, plain lines (at most one
/// a second) otherwise, so logs of scripted runs stay readable.
final class ProgressPrinter: @unchecked Sendable {
    // @unchecked: `lock` serialises every access to the mutable fields.
    private let lock = NSLock()
    private let label: String
    private let unit: String
    private var total: Int
    private let started = Date()
    private var lastPrint = Date.distantPast
    private let terminal = isatty(STDERR_FILENO) == 1
    private var printedBar = false
    private var done = 0
    private var ended = false
    /// Whether a line at (or past) the total was printed: work that outgrows its total then prints at the
    /// usual pace, not at every step.
    private var printedAtTotal = false

    /// Printers that reported and have not finished: an error ends their line (``interrupted()``).
    private static let unfinished = Mutex<[ObjectIdentifier: ProgressPrinter]>([:])

    init(_ label: String, total: Int, unit: String = "events") {
        self.label = label
        self.total = max(total, 1)
        self.unit = unit
    }

    /// Reports `done` of the total. Work that outgrows its announced total (events appended meanwhile)
    /// raises the total rather than showing more done than there is.
    func update(_ done: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard !ended else { return }
        if self.done == 0 { Self.unfinished.withLock { $0[ObjectIdentifier(self)] = self } }
        self.done = done
        total = max(total, done)
        let now = Date()
        let interval = terminal ? 0.1 : 1.0
        guard now.timeIntervalSince(lastPrint) >= interval || (done >= total && !printedAtTotal) else { return }
        lastPrint = now
        if done >= total { printedAtTotal = true }
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let fraction = min(Double(done) / Double(total), 1)
        let eta = rate > 0 ? Double(total - min(done, total)) / rate : 0
        let numbers = "\(done)/\(total) \(unit)  \(Int(rate))/s  ETA \(Self.duration(eta))"
        if terminal {
            let width = 30
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            emit(Data("\r\(label) [\(bar)] \(Int(fraction * 100))%  \(numbers)\u{1B}[K".utf8), to: .standardError)
            printedBar = true
        } else {
            note("\(label): \(Int(fraction * 100))%  \(numbers)")
        }
    }

    /// Ends the bar with a summary line.
    func finish(_ done: Int) {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        end("\(done) \(unit) in \(Self.duration(elapsed)) (\(Int(Double(done) / elapsed))/s)")
    }

    /// Ends the line of every printer that has reported and not finished, saying where it stopped: called
    /// before an error is printed, so the error does not land in the middle of a bar.
    static func interrupted() {
        let open = unfinished.withLock { printers in
            defer { printers.removeAll() }
            return Array(printers.values)
        }
        for printer in open {
            printer.lock.lock()
            let done = printer.done, total = printer.total
            printer.lock.unlock()
            printer.end("stopped at \(done)/\(total) \(printer.unit) after \(Self.duration(Date().timeIntervalSince(printer.started)))")
        }
    }

    private func end(_ summary: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !ended else { return }
        ended = true
        Self.unfinished.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(self)) }
        if printedBar { emit(Data("\r\u{1B}[K".utf8), to: .standardError) }
        note("\(label): \(summary)")
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
    }
}

/// A progress line for the views the engine builds from the log while it opens (views never built, or
/// whose projection changed: ``CRMEngine/Configuration/viewBuildProgress``); prints nothing when every view
/// is current. The line starts with the first report, which carries the total.
final class ViewBuildProgress: Sendable {
    private let printer = Mutex<ProgressPrinter?>(nil)

    /// Reports one step of the build; the last one ends the line with a summary.
    func update(_ step: ProjectionRunner.Progress) {
        printer.withLock { printer in
            let total = Int(clamping: step.target.rawValue), done = Int(clamping: step.position.rawValue)
            if printer == nil { printer = ProgressPrinter("building views", total: total) }
            printer?.update(done)
            if done >= total { printer?.finish(done) }
        }
    }

    /// A configuration whose engine reports its view builds here.
    static func configuring(_ configuration: CRMEngine.Configuration) -> CRMEngine.Configuration {
        var configuration = configuration
        let progress = ViewBuildProgress()
        configuration.viewBuildProgress = { progress.update($0) }
        return configuration
    }
}

/// Private working directories of a command (`export report` builds views into one): removed when the work
/// ends, and also when the process is interrupted (SIGINT, SIGTERM), which would otherwise leave them —
/// copies of views, token hashes among them — in the temporary directory.
enum ScratchDirectory {
    private static let live = Mutex<Set<String>>([])
    private static let handlers = Mutex<[any DispatchSourceSignal]>([])
    /// Set by the signal handler before it removes anything: the process is ending by that signal.
    private static let interrupting = Mutex(false)

    /// Blocks for good while an interruption is ending the process (its handler exits it), so a failure it
    /// caused — the work's directory removed under it — is not reported as the command's error; returns at
    /// once otherwise.
    static func awaitInterruption() {
        guard interrupting.withLock({ $0 }) else { return }
        while true { usleep(100_000) }
    }

    /// A new directory path under the temporary directory (not created), removed on interruption until
    /// ``remove(_:)``. Its name holds this process's id: directories of `prefix` whose process is gone —
    /// left by a process killed outright, or by threads still writing when an interruption removed one —
    /// are removed here first.
    static func make(_ prefix: String) -> String {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? [] where name.hasPrefix(prefix + "-") {
            let fields = name.dropFirst(prefix.count + 1).split(separator: "-", maxSplits: 1)
            guard let owner = fields.first.flatMap({ Int32($0) }), owner != getpid(), kill(owner, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: temporary.appendingPathComponent(name).path)
        }
        let path = temporary.appendingPathComponent("\(prefix)-\(getpid())-\(UUID().uuidString)").path
        live.withLock { _ = $0.insert(path) }
        handlers.withLock { handlers in
            guard handlers.isEmpty else { return }
            for number in [SIGINT, SIGTERM] {
                #if canImport(Darwin)
                signal(number, SIG_IGN)  // kqueue delivers it to the source; on Linux, Dispatch installs its own handler
                #endif
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    interrupting.withLock { $0 = true }
                    // Again while other threads of the work may still be adding files to it, until it is gone.
                    for path in live.withLock({ $0 }) {
                        for _ in 0..<50 where FileManager.default.fileExists(atPath: path) {
                            try? FileManager.default.removeItem(atPath: path)
                            usleep(2_000)
                        }
                    }
                    ProgressPrinter.interrupted()
                    // Then end as the signal would have: sent to the process (this thread blocks it), and
                    // should another thread block it too, ended with the shell's code for it.
                    signal(number, SIG_DFL)
                    kill(getpid(), number)
                    usleep(200_000)
                    exit(128 + number)
                }
                // Registered before the work starts: a signal before then would end the process the default
                // way and leave the directory.
                let registered = DispatchSemaphore(value: 0)
                source.setRegistrationHandler { registered.signal() }
                source.resume()
                _ = registered.wait(timeout: .now() + 2)
                handlers.append(source)
            }
        }
        return path
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
        live.withLock { _ = $0.remove(path) }
    }
}
