import CRMDataGenerator
import CRMEngine
import EventSourcing

/// Appends the generated history to an empty log, batch by batch, with the unique keys it holds (the
/// customers' external keys, the quotes' numbers) reserved in the same appends as the engine reserves them
/// (``HistoryKeyReservations``): the engine opened on the log afterwards refuses a duplicate key or quote
/// number. `progress` is told how many generated events were written so far. What `crm demo` and
/// `crm serve --demo` (`make run`) seed with.
func appendDemoHistory(_ generator: HistoryGenerator, to log: any EventStore, progress: (Int) -> Void = { _ in }) async throws {
    var keys = try HistoryKeyReservations()
    var written = 0
    try await generator.forEachBatch { batch in
        _ = try await log.append(try keys.appending(batch))
        written += batch.reduce(0) { $0 + $1.events.count }
        progress(written)
    }
}

/// ``appendDemoHistory(_:to:progress:)`` with the `demo` progress line on standard error (a bar on a
/// terminal, a plain line at most once a second otherwise; ended with a summary, or where it stopped): how
/// `crm demo` and `crm serve --demo` both seed. Returns how many generated events were written.
@discardableResult
func appendDemoHistoryShowingProgress(_ generator: HistoryGenerator, to log: any EventStore, events: Int) async throws -> Int {
    let progress = ProgressPrinter("demo", total: events)
    var written = 0
    do {
        try await appendDemoHistory(generator, to: log) { count in
            written = count
            progress.update(count)
        }
    } catch {
        ProgressPrinter.interrupted()
        throw error
    }
    progress.finish(written)
    return written
}
