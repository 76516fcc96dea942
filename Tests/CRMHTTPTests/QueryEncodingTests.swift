import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Request targets as clients really send them, written byte for byte on a plain socket: raw UTF-8 (not
/// percent-encoded) is read as the text it spells; bytes that spell no text, and requests the HTTP parser
/// cannot read, answer a problem document — never a bare 400.
@Suite(.serialized) struct QueryEncodingTests {
    private func ids(_ answer: RawHTTP.Answer) -> [String] {
        ((answer.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["id"])?.lowercased() }
    }

    @Test func aSearchWithRawUTF8InTheQueryFindsWhatItsPercentEncodedFormFinds() async throws {
        try await LiveServer.with("query-raw-utf8") { s in
            let id = try await s.created("/v1/customers", #"{"kind": "person", "name": "张三 Peony", "group": "retail", "branch": "head-office"}"#)
            let head = try await s.engine.store.headPosition().rawValue

            let encoded = try await s.expect(.GET, "/v1/search?q=%E5%BC%A0%E4%B8%89&consistentWith=\(head)")
            let encodedIDs = ((encoded.json["items"] as? [[String: Any]]) ?? []).compactMap { text($0["id"])?.lowercased() }
            #expect(encodedIDs == [id.lowercased()], "\(encoded.text.prefix(400))")

            let raw = try RawHTTP.exchange(port: s.port, RawHTTP.get("/v1/search?q=张三&consistentWith=\(head)", token: s.adminToken)).first
            #expect(raw?.status == 200, "\(raw?.head ?? "no answer") \(raw?.text.prefix(400) ?? "")")
            #expect(raw.map(ids) == [id.lowercased()], "\(raw?.text.prefix(400) ?? "")")
            // Raw and percent-encoded bytes mixed in one value spell the same text.
            let mixed = try RawHTTP.exchange(port: s.port, RawHTTP.get("/v1/search?q=张%E4%B8%89&consistentWith=\(head)", token: s.adminToken)).first
            #expect(mixed?.status == 200 && mixed.map(ids) == [id.lowercased()], "\(mixed?.text.prefix(400) ?? "")")
        }
    }

    @Test func rawUTF8TargetsAreReadOnAKeptAliveConnectionAfterABodyWhoseOwnUTF8StaysAsSent() async throws {
        try await LiveServer.with("query-raw-keepalive") { s in
            let json = #"{"kind": "person", "name": "李四 Quince", "group": "retail", "branch": "head-office"}"#
            // A create with a UTF-8 body, then two searches with raw UTF-8 targets, on one connection.
            let answers = try RawHTTP.exchange(port: s.port,
                RawHTTP.request("POST", "/v1/customers", token: s.adminToken, json: json, close: false)
                + RawHTTP.get("/v1/search?q=李四", token: s.adminToken, close: false)
                + RawHTTP.get("/v1/search?q=Quince&limit=5", token: s.adminToken))
            #expect(answers.map(\.status) == [201, 200, 200], "\(answers.map { "\($0.head) \($0.text.prefix(300))" })")
            let id = try #require(answers.first.flatMap { text($0.json["id"]) }?.lowercased())
            let stored = try await s.engine.state(Customer.self, id: try #require(UUID(uuidString: id)), as: s.admin).state
            #expect(stored.name == "李四 Quince")
            // The searches ran after the create, without consistentWith: wait for the index, then ask again raw.
            let head = try await s.engine.store.headPosition().rawValue
            let found = try RawHTTP.exchange(port: s.port, RawHTTP.get("/v1/search?q=李四&consistentWith=\(head)", token: s.adminToken)).first
            #expect(found?.status == 200 && found.map(ids) == [id], "\(found?.text.prefix(400) ?? "")")
        }
    }

    @Test(arguments: [1, 2, 3, 5])
    func aRequestWithRawUTF8ArrivingAFewBytesAtATimeIsReadWhole(chunk: Int) async throws {
        try await LiveServer.with("query-raw-trickle") { s in
            let id = try await s.created("/v1/customers", #"{"kind": "person", "name": "王五 Laurel", "group": "retail", "branch": "head-office"}"#)
            let head = try await s.engine.store.headPosition().rawValue
            // Blank lines before the request (which the parser skips), then the head a few bytes per read, so
            // its end (CRLF CRLF) arrives split across reads.
            let bytes = Array("\r\n".utf8) + RawHTTP.get("/v1/search?q=王五&consistentWith=\(head)", token: s.adminToken)
            let answer = try RawHTTP.exchange(port: s.port, bytes, chunk: chunk).first
            #expect(answer?.status == 200 && answer.map(ids) == [id.lowercased()], "\(answer?.head ?? "no answer") \(answer?.text.prefix(300) ?? "")")
        }
    }

    @Test func bytesThatAreNotUTF8InTheQueryAnswerAProblemDocumentSayingToPercentEncodeText() async throws {
        try await LiveServer.with("query-not-utf8") { s in
            let raw = try RawHTTP.exchange(port: s.port, RawHTTP.get(Array("/v1/search?q=".utf8) + [0xFF, 0xFE, 0x41], token: s.adminToken)).first
            #expect(raw?.status == 400, "\(raw?.head ?? "no answer") \(raw?.text.prefix(400) ?? "")")
            #expect(raw?.header("content-type") == "application/problem+json", "\(raw?.head ?? "")")
            #expect(raw.flatMap { text($0.json["type"]) } == "urn:crm:problem:invalid-query", "\(raw?.text ?? "")")
            #expect(raw.flatMap { text($0.json["field"]) } == "q", "\(raw?.text ?? "")")
            #expect(raw.flatMap { text($0.json["detail"]) }?.contains("percent-encoded") == true, "\(raw?.text ?? "")")
            // The same bytes percent-encoded are no text either.
            let encoded = try await s.send(.GET, "/v1/search?q=%FF%FEA")
            #expect(encoded.status == 400 && text(encoded.json["type"]) == "urn:crm:problem:invalid-query", "\(encoded.text)")
            // A lone % is read as it is, as before.
            let lone = try RawHTTP.exchange(port: s.port, RawHTTP.get("/v1/search?q=100%", token: s.adminToken)).first
            #expect(lone?.status == 200, "\(lone?.head ?? "no answer") \(lone?.text.prefix(400) ?? "")")
        }
    }

    @Test func aRequestTargetTheParserRefusesAnswersAProblemDocumentAndTheServerGoesOn() async throws {
        try await LiveServer.with("query-unparsable") { s in
            // A control character (DEL) in the target: no URI holds one, raw or not.
            let answer = try RawHTTP.exchange(port: s.port, RawHTTP.get(Array("/v1/search?q=a".utf8) + [0x7F] + Array("b".utf8), token: s.adminToken)).first
            #expect(answer?.status == 400, "\(answer?.head ?? "no answer") \(answer?.text.prefix(400) ?? "")")
            #expect(answer?.header("content-type") == "application/problem+json", "\(answer?.head ?? "")")
            #expect(answer?.header("connection")?.lowercased() == "close", "\(answer?.head ?? "")")
            #expect(answer.flatMap { text($0.json["type"]) } == "urn:crm:problem:malformed-request", "\(answer?.text ?? "")")
            #expect(answer.flatMap { text($0.json["detail"]) }?.contains("percent-encode") == true, "\(answer?.text ?? "")")
            try await s.expect(.GET, "/v1/search?q=peony")
        }
    }
}

/// HTTP/1.1 requests written byte for byte on a plain socket, so nothing (no client library) encodes the
/// request target on its way, and the answers read back until the server closes the connection.
enum RawHTTP {
    struct Answer {
        let status: Int
        let head: String
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
        /// The first value of the header `name` (case-insensitive).
        func header(_ name: String) -> String? {
            for line in head.components(separatedBy: "\r\n").dropFirst() {
                guard let colon = line.firstIndex(of: ":"), line[..<colon].lowercased() == name.lowercased() else { continue }
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return nil
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A request's bytes: `target` exactly as given; `Connection: close` unless `close` is false.
    static func request(_ method: String, _ target: [UInt8], token: String, json: String? = nil, close: Bool = true) -> [UInt8] {
        var head = " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\n"
        if let json { head += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n" }
        if close { head += "Connection: close\r\n" }
        return Array("\(method) ".utf8) + target + Array((head + "\r\n").utf8) + Array((json ?? "").utf8)
    }

    static func request(_ method: String, _ target: String, token: String, json: String? = nil, close: Bool = true) -> [UInt8] {
        request(method, Array(target.utf8), token: token, json: json, close: close)
    }

    static func get(_ target: String, token: String, close: Bool = true) -> [UInt8] { request("GET", target, token: token, close: close) }
    static func get(_ target: [UInt8], token: String, close: Bool = true) -> [UInt8] { request("GET", target, token: token, close: close) }

    /// A socket connected to 127.0.0.1:`port` whose reads give up after `receiveTimeout` seconds; the caller
    /// closes it.
    static func connected(port: Int, receiveTimeout: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw Failure(description: "connect failed")
        }
        return fd
    }

    /// Writes `bytes` to 127.0.0.1:`port` (`chunk` bytes per send, each sent on its own, when given), reads
    /// until the server closes, and splits what came back into answers.
    static func exchange(port: Int, _ bytes: [UInt8], chunk: Int? = nil) throws -> [Answer] {
        let fd = try connected(port: port, receiveTimeout: 30)
        defer { close(fd) }
        var noDelay: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var sent = 0
        while sent < bytes.count {
            let end = chunk.map { min(bytes.count, sent + $0) } ?? bytes.count
            let n = bytes[sent..<end].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "send failed") }
            sent += n
            if chunk != nil { usleep(200) }
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return try answers(in: received)
    }

    /// The answers in `bytes`, each framed by its `Content-Length` or chunked coding.
    static func answers(in bytes: [UInt8]) throws -> [Answer] {
        var answers: [Answer] = []
        var index = 0
        while index < bytes.count {
            guard let end = find([13, 10, 13, 10], in: bytes, from: index) else {
                throw Failure(description: "an incomplete answer head after \(answers.count) answers")
            }
            let head = String(decoding: bytes[index..<end], as: UTF8.self)
            let status = Int(head.split(separator: " ", maxSplits: 2).dropFirst().first ?? "") ?? 0
            var answer = Answer(status: status, head: head, body: Data())
            var next = end + 4
            if answer.header("transfer-encoding")?.lowercased() == "chunked" {
                var body: [UInt8] = []
                while let lineEnd = find([13, 10], in: bytes, from: next) {
                    let size = Int(String(decoding: bytes[next..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) ?? 0
                    next = lineEnd + 2
                    if size == 0 {
                        next = (find([13, 10], in: bytes, from: next) ?? bytes.count - 2) + 2
                        break
                    }
                    guard next + size <= bytes.count else { break }
                    body += bytes[next..<next + size]
                    next += size + 2
                }
                answer = Answer(status: status, head: head, body: Data(body))
            } else {
                let length = min(Int(answer.header("content-length") ?? "0") ?? 0, bytes.count - next)
                answer = Answer(status: status, head: head, body: Data(bytes[next..<next + length]))
                next += length
            }
            answers.append(answer)
            index = next
        }
        return answers
    }

    private static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        return (start...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }
}
