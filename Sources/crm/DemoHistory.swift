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
