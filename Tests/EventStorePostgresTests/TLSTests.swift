import EventSourcing
@testable import EventStorePostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// TLS against the test cluster, which offers it with a self-signed certificate naming `localhost` only
/// (scripts/test-postgres.sh; its path in `CRM_TEST_POSTGRES_CERT`). `sslmode` means what it means in libpq.
@Suite("PostgreSQL over TLS")
struct TLSTests {
    /// The test database's URL with `host` instead of its own and `query` appended, on a schema of its own.
    static func configuration(_ query: String, host: String = "127.0.0.1", timeout: Duration = .seconds(120)) throws -> PostgresStoreConfiguration {
        guard var components = URLComponents(string: try TestDatabase.url()) else { throw TestDatabase.Missing() }
        components.host = host
        components.percentEncodedQuery = query
        guard let url = components.string else { throw TestDatabase.Missing() }
        var configuration = try PostgresStoreConfiguration(url: url)
        configuration.schema = try TestDatabase.configuration("tls").schema
        configuration.connectTimeout = timeout
        configuration.operationTimeout = timeout
        return configuration
    }

    /// Whether the server sees the session of a client made as the store makes its own as encrypted.
    static func serverSeesEncryption(_ configuration: PostgresStoreConfiguration) async throws -> Bool {
        let client = try PostgresEventStore.makeClient(configuration, logger: Logger(label: "tls-test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let run = Task { await client.run() }
        defer { run.cancel() }
        let rows = try await client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        for try await ssl in rows.decode(Bool.self) { return ssl }
        return false
    }

    /// Opens a store, appends one event and reads it back; closes and drops the schema.
    static func roundTrip(_ configuration: PostgresStoreConfiguration) async throws {
        let store = try await PostgresEventStore.open(configuration)
        do {
            let events = EventFactory().events(1)
            try await store.append(events, to: "tls-1", expectedVersion: .noStream)
            let read = try await store.readStream("tls-1")
            #expect(read.map(\.id) == events.map(\.id))
        } catch {
            await store.close()
            try? await PostgresEventStore.destroy(configuration)
            throw error
        }
        await store.close()
        try? await PostgresEventStore.destroy(configuration)
    }

    /// Opening must fail with a typed storage error, soon after the short connect timeout.
    static func expectRefused(_ configuration: PostgresStoreConfiguration, _ comment: Comment) async {
        await expectRefused(configuration, saying: "does not chain to a trusted root", comment)
    }

    static func expectRefused(_ configuration: PostgresStoreConfiguration, saying why: String, _ comment: Comment) async {
        do {
            let store = try await PostgresEventStore.open(configuration)
            await store.close()
            try? await PostgresEventStore.destroy(configuration)
            Issue.record(comment)
        } catch let error as EventStoreError {
            #expect(error.code == .storage, "\(error)")
            #expect(error.detail.contains(why), "the error says why: \(error)")
        } catch {
            Issue.record("an untyped error: \(error)")
        }
    }

    @Test func requireEncryptsWithASelfSignedCertificateAsLibpqDoesWhileDisableDoesNot() async throws {
        let required = try Self.configuration("sslmode=require")
        #expect(required.tls == .require)
        try await Self.roundTrip(required)
        #expect(try await Self.serverSeesEncryption(required))
        #expect(try await Self.serverSeesEncryption(Self.configuration("sslmode=prefer")))
        #expect(try await !Self.serverSeesEncryption(Self.configuration("sslmode=disable")))
    }

    @Test func verifyFullRefusesACertificateThatNoTrustedRootSigned() async throws {
        await Self.expectRefused(
            try Self.configuration("sslmode=verify-full", host: "localhost", timeout: .seconds(4)),
            "verify-full accepted a self-signed certificate not among the trusted roots")
        await Self.expectRefused(
            try Self.configuration("sslmode=verify-ca", timeout: .seconds(4)),
            "verify-ca accepted a self-signed certificate not among the trusted roots")
    }

    @Test func verifyFullWithTheRootTrustedAcceptsTheNameTheCertificateGivesAndRefusesAnotherAddress() async throws {
        let root = try TestDatabase.certificatePath()
        let byName = try Self.configuration("sslmode=verify-full&sslrootcert=\(root)", host: "localhost")
        #expect(byName.tls == .verifyFull && byName.rootCertificatePath == root)
        try await Self.roundTrip(byName)
        #expect(try await Self.serverSeesEncryption(byName))

        // The certificate names localhost, not 127.0.0.1: the full check refuses it, the chain check alone
        // (verify-ca, or require with a root file as in libpq) accepts it.
        await Self.expectRefused(
            try Self.configuration("sslmode=verify-full&sslrootcert=\(root)", timeout: .seconds(4)),
            saying: "does not name 127.0.0.1", "verify-full accepted a certificate that does not name the address connected to")
        try await Self.roundTrip(try Self.configuration("sslmode=verify-ca&sslrootcert=\(root)"))
        try await Self.roundTrip(try Self.configuration("sslmode=require&sslrootcert=\(root)"))
    }

    @Test func anUnreadableRootCertificateFileIsATypedErrorNamingIt() async throws {
        let missing = try Self.configuration("sslmode=verify-full&sslrootcert=/nonexistent/root.crt")
        do {
            _ = try await PostgresEventStore.open(missing)
            Issue.record("opened with a root certificate file that does not exist")
        } catch let error as EventStoreError {
            #expect(error.code == .storage)
            #expect("\(error)".contains("sslrootcert"), "\(error)")
        }
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-cert-\(UUID().uuidString).pem")
        try Data("not a certificate\n".utf8).write(to: notPEM)
        defer { try? FileManager.default.removeItem(at: notPEM) }
        await #expect(throws: EventStoreError.self) {
            _ = try await PostgresEventStore.open(try Self.configuration("sslmode=verify-ca&sslrootcert=\(notPEM.path)"))
        }
    }
}
