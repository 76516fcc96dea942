import Foundation
import Testing

/// `crm serve --demo` seeds with the same progress output as `crm demo` (long work shows progress).
@Suite("crm serve --demo: progress while seeding", .serialized)
struct ServeDemoProgressTests {
    @Test func serveDemoShowsTheDemosProgressLinesWhileSeeding() async throws {
        let dir = temporaryDirectory()
        defer { cleanup(dir) }
        let port = Int.random(in: 20_000..<32_000)  // below the ephemeral ports (32768 on)
        let server = try start(["serve", "--data", dir + "/demo", "--port", "\(port)", "--demo"])
        for _ in 0..<3600 where !server.stderr.contains("listening") && server.process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let served = server.stop()
        #expect(served.stderr.contains("listening"), "\(served.stderr)")
        // Standard error is no terminal here: plain `demo: …%  N/30000 events  R/s  ETA …` lines (at most one a second), then the summary.
        let lines = served.stderr.split(whereSeparator: \.isNewline).map(String.init)
        let progress = lines.filter { $0.hasPrefix("demo: ") && $0.contains("% ") && $0.contains(" events ") && $0.contains("ETA") }
        #expect(!progress.isEmpty, "\(served.stderr)")
        #expect(lines.contains { $0.hasPrefix("demo: ") && $0.contains(" events in ") }, "the line ends with a summary: \(served.stderr)")
        #expect(served.stdout.contains("Seeding demo data") && served.stdout.contains("Seeded "), "\(served.stdout)")
    }
}
