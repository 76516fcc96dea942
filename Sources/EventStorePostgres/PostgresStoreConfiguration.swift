import EventSourcing
import Foundation
import PostgresNIO

/// Where the log lives and how the store behaves: parsed from a URL such as
/// `postgres://crm:secret@db.example:5432/crm?schema=crm&sslmode=require`.
///
/// - `schema` (query item, default `crm`): the PostgreSQL schema holding the log's tables; several logs can
///   share one database under different schemas. Lower-case letters, digits and `_`, at most 63 bytes, not
///   a reserved word of PostgreSQL (`full`, `user`, …).
/// - `sslmode`: as libpq's — `disable` (default for loopback hosts; `allow` means the same here), `prefer`
///   (default otherwise), `require`, `verify-ca` or `verify-full`. See ``TLSMode``.
/// - `sslrootcert`: a PEM file of the certificates that `verify-ca` and `verify-full` trust (the system's
///   roots when absent). With `require`, as in libpq, it makes the store check the chain as `verify-ca` does.
public struct PostgresStoreConfiguration: Sendable, Hashable {
    /// Whether the connection is encrypted and what is checked of the server's certificate; the same
    /// meanings as libpq's `sslmode`.
    public enum TLSMode: String, Sendable, Hashable {
        /// No TLS.
        case disable
        /// TLS when the server offers it, plain otherwise; the certificate is not checked.
        case prefer
        /// TLS or no connection; the certificate is not checked (unless a root certificate file is given):
        /// the traffic is encrypted, but the server's identity is not proven.
        case require
        /// TLS, and the server's certificate must chain to a trusted root; its name is not compared.
        case verifyCA = "verify-ca"
        /// TLS, the certificate must chain to a trusted root and name the host (or its IP address) connected to.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var schema: String
    public var tls: TLSMode
    /// A PEM file of the root certificates to trust (`sslrootcert`); nil trusts the system's roots.
    public var rootCertificatePath: String?

    /// The limits the store enforces (the same defaults as the LMDB store).
    public var limits: EventStoreLimits = .standard
    /// Most pooled connections this process opens (one more is taken by the notification listener).
    public var maxConnections: Int = 8
    /// How long an operation may wait for the database — a connection, a lock, an answer — before it fails
    /// with ``EventStoreError/Code/storage`` (database unavailable).
    public var operationTimeout: Duration = .seconds(15)
    /// How long opening may take to connect and create the schema. When it fails, one more connection
    /// attempt (at most as long, and 5 s) finds out why, for the error.
    public var connectTimeout: Duration = .seconds(10)
    /// How often a waiting subscription looks at the head itself, in case a notification was missed.
    public var pollInterval: Duration = .milliseconds(500)
    /// Whether subscriptions are woken by LISTEN/NOTIFY (else they poll alone: for connection poolers in
    /// transaction mode, which cannot LISTEN).
    public var listenForNotifications = true
    /// Most events the writer commits in one transaction when appends queue up (group commit).
    public var maxEventsPerCommit: Int = 20_000
    /// Whether opening creates the log's tables when the schema has none (the default); false makes a
    /// missing log an error, for readers that must not create one from a mistyped schema name.
    public var createsSchema = true
    /// Rows fetched per query by scans and subscriptions.
    public var readBatchSize: Int = 1_000

    public init(
        host: String, port: Int = 5432, username: String, password: String? = nil, database: String,
        schema: String = "crm", tls: TLSMode = .disable
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.schema = schema
        self.tls = tls
    }

    /// Parses `postgres://user[:password]@host[:port]/database[?schema=…&sslmode=…]` (also `postgresql://`).
    public init(url text: String) throws(EventStoreError) {
        guard let components = URLComponents(string: text),
              let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else {
            throw EventStoreError(.storage, detail: "not a postgres:// URL")
        }
        guard let host = components.host, !host.isEmpty else { throw EventStoreError(.storage, detail: "the PostgreSQL URL names no host") }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let user = components.user.flatMap { $0.removingPercentEncoding ?? $0 } ?? "postgres"
        self.init(
            host: host, port: components.port ?? 5432, username: user,
            password: components.password.flatMap { $0.removingPercentEncoding ?? $0 },
            database: database.isEmpty ? user : (database.removingPercentEncoding ?? database)
        )
        let loopback = host == "localhost" || host == "127.0.0.1" || host == "::1"
        tls = loopback ? .disable : .prefer
        for item in components.queryItems ?? [] {
            switch item.name {
            case "schema":
                schema = item.value ?? ""
            case "sslmode":
                switch item.value ?? "" {
                case "disable", "allow": tls = .disable
                case "prefer": tls = .prefer
                case "require": tls = .require
                case "verify-ca": tls = .verifyCA
                case "verify-full": tls = .verifyFull
                default: throw EventStoreError(.storage, detail: "unknown sslmode in the PostgreSQL URL (disable, allow, prefer, require, verify-ca or verify-full)")
                }
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else {
                    throw EventStoreError(.storage, detail: "sslrootcert in the PostgreSQL URL names no file")
                }
                rootCertificatePath = path
            default:
                throw EventStoreError(.storage, detail: "unknown option `\(item.name)` in the PostgreSQL URL")
            }
        }
        try Self.validate(schema: schema)
    }

    /// The URL without its password, for logs and messages.
    public var redactedURL: String {
        "postgres://\(username)@\(host):\(port)/\(database)?schema=\(schema)&sslmode=\(tls.rawValue)"
    }

    /// What the driver is to do for ``tls`` and ``rootCertificatePath``: no TLS (nil), or TLS with these
    /// settings, falling back to a plain connection when the server offers none (`prefer`) or not.
    ///
    /// - Throws: ``EventStoreError/Code/storage`` when the root certificate file cannot be read as PEM.
    func tlsSettings() throws(EventStoreError) -> (settings: TLSConfiguration, plainAllowed: Bool)? {
        var verification = tls
        if verification == .require, rootCertificatePath != nil { verification = .verifyCA }
        var settings = TLSConfiguration.makeClientConfiguration()
        switch verification {
        case .disable: return nil
        case .prefer, .require: settings.certificateVerification = .none
        case .verifyCA: settings.certificateVerification = .noHostnameVerification
        case .verifyFull: settings.certificateVerification = .fullVerification
        }
        if verification == .verifyCA || verification == .verifyFull, let path = rootCertificatePath {
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw EventStoreError(.storage, detail: "cannot read the sslrootcert file \(path) as PEM certificates")
            }
            guard !roots.isEmpty else {
                throw EventStoreError(.storage, detail: "the sslrootcert file \(path) holds no certificate")
            }
            settings.trustRoots = .certificates(roots)
        }
        return (settings, verification == .prefer)
    }

    static func validate(schema: String) throws(EventStoreError) {
        let bytes = Array(schema.utf8)
        guard !bytes.isEmpty, bytes.count <= 63,
              bytes.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }),
              let first = bytes.first, !(first >= 0x30 && first <= 0x39)
        else {
            throw EventStoreError(.storage, detail: "schema names are 1-63 lower-case letters, digits or _, not starting with a digit")
        }
        // The name goes into SQL as it is: a reserved word (`full`, `user`, `order`) would not parse there.
        guard !reservedWords.contains(schema) else {
            throw EventStoreError(.storage, detail: "`\(schema)` is a reserved word of PostgreSQL's SQL; choose another schema name")
        }
    }

    /// PostgreSQL's reserved key words (reserved, and reserved that can be function or type names), which
    /// cannot name a schema unquoted.
    static let reservedWords: Set<String> = [
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "authorization", "binary", "both",
        "case", "cast", "check", "collate", "collation", "column", "concurrently", "constraint", "create", "cross",
        "current_catalog", "current_date", "current_role", "current_schema", "current_time", "current_timestamp",
        "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch",
        "for", "foreign", "freeze", "from", "full", "grant", "group", "having", "ilike", "in", "initially", "inner",
        "intersect", "into", "is", "isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
        "localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or", "order", "outer",
        "overlaps", "placing", "primary", "references", "returning", "right", "select", "session_user", "similar",
        "some", "symmetric", "system_user", "table", "tablesample", "then", "to", "trailing", "true", "union", "unique",
        "user", "using", "variadic", "verbose", "when", "where", "window", "with",
    ]
}
