import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

// Raw (not percent-encoded) UTF-8 in a request target — `GET /v1/search?q=张三` as many clients send it —
// never reaches the router on its own: NIO's HTTP/1 parser (llhttp, built strict) refuses any byte from
// 0x80 up in the request line with `HTTPParserError.invalidURL`, and Hummingbird answers every parse error
// with a bare 400 and no body. The text is unambiguous, so the server reads it as its percent-encoded form:
// ``RawRequestTargetEncoder`` sits in front of the parser and percent-encodes those bytes of each request
// line before the parser sees them. Whatever the parser still refuses gets a problem document
// (`malformed-request`) from ``RequestBoundaryObserver`` instead of the bare 400.

/// Hummingbird's HTTP/1.1 child channel with ``RawRequestTargetEncoder`` in front of its request parser and
/// ``RequestBoundaryObserver`` behind it; everything else is Hummingbird's own.
struct CRMHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // On the channel's event loop: the base's setup completes there, synchronously.
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            let framing = RequestFraming()
            try pipeline.addHandler(RawRequestTargetEncoder(framing: framing), position: .before(decoder))
            try pipeline.addHandler(RequestBoundaryObserver(framing: framing), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1 that reads raw UTF-8 in request targets and answers unparsable requests with a problem
    /// document (``CRMHTTP1Channel``), and closes a connection that sends no complete request part (a
    /// request head, a piece of body, its end) for `idleTimeout` while no answer is under way: Hummingbird's
    /// idle timer (``HummingbirdCore/HTTPConnectionStateHandler``), nil for none.
    static func crmHTTP1(idleTimeout: Duration?) -> HTTPServerBuilder {
        let configuration = HTTP1Channel.Configuration(idleTimeout: idleTimeout.map { TimeAmount($0) })
        return HTTPServerBuilder { responder in CRMHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}

/// Where the parser stands in a connection's byte stream, as far as ``RawRequestTargetEncoder`` may rely on
/// it: at the start of a request (`head`), inside a body of known length, or unknown (`passThrough`: chunked
/// bodies, upgrades, anything unexpected — the bytes then go to the parser untouched, as without the
/// encoder). ``RequestBoundaryObserver`` reports what the parser made of the bytes just handed to it.
/// One per connection, used on its event loop only.
final class RequestFraming {
    enum Mode {
        case head
        case body(remaining: Int)
        case passThrough
    }

    var mode = Mode.head
    /// Request heads and ends the parser produced from the bytes last handed to it.
    var heads = 0
    var ends = 0
    /// The body length the last head announced: 0 without a body, nil when it is not one `Content-Length`.
    var bodyLength: Int?

    func observed(_ head: HTTPRequestHead) {
        heads += 1
        let headers = head.headers
        if head.method == .CONNECT || headers.contains(name: "upgrade") || headers.contains(name: "transfer-encoding") {
            bodyLength = nil
            return
        }
        let lengths = headers["content-length"]
        if lengths.isEmpty {
            bodyLength = 0
        } else if lengths.count == 1, let length = Int(lengths[0]), length >= 0 {
            bodyLength = length
        } else {
            bodyLength = nil
        }
    }

    func observedEnd() { ends += 1 }
}

/// Percent-encodes the bytes from 0x80 up in each request line (the method, target and version; only the
/// target can hold them in a request the parser would take) before the HTTP/1 parser reads it. Nothing
/// else changes: headers and bodies pass as they came. A request line is only ever looked for where the
/// parser is known to start a request — the connection's start, or the end of a request whose head held
/// no body or a `Content-Length` one the parser then ended on; after anything else the bytes pass through.
final class RawRequestTargetEncoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// A head not complete within this many bytes passes to the parser as it is (which refuses it as too
    /// large: its limit is 80 KiB).
    static let headLimit = 96 * 1024

    private let framing: RequestFraming
    /// Bytes received but not yet handed on: an incomplete head.
    private var held: ByteBuffer?
    /// How many bytes of `held` were already searched for the head's end: a head trickling in a byte at a
    /// time is searched once, not from its start on every read.
    private var scanned = 0

    init(framing: RequestFraming) {
        self.framing = framing
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if case .passThrough = framing.mode, held == nil {
            context.fireChannelRead(data)
            return
        }
        if var buffer = held {
            // Released first, so the append grows the buffer in place instead of copying what it holds.
            held = nil
            buffer.writeBuffer(&incoming)
            held = buffer
        } else {
            held = incoming
        }
        forward(context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { flushHeld(context: context) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        flushHeld(context: context)
        context.fireChannelInactive()
    }

    /// Hands the bytes held to the parser as they are: no more will come to complete them.
    private func flushHeld(context: ChannelHandlerContext) {
        framing.mode = .passThrough
        if let buffer = held, buffer.readableBytes > 0 {
            held = nil
            context.fireChannelRead(wrapInboundOut(buffer))
        }
        held = nil
    }

    private func forward(context: ChannelHandlerContext) {
        while var buffer = held, buffer.readableBytes > 0 {
            held = nil
            switch framing.mode {
            case .passThrough:
                context.fireChannelRead(wrapInboundOut(buffer))
            case .body(let remaining):
                let count = min(remaining, buffer.readableBytes)
                guard let part = buffer.readSlice(length: count) else { return }
                held = buffer.readableBytes > 0 ? buffer : nil
                framing.ends = 0
                context.fireChannelRead(wrapInboundOut(part))
                let left = remaining - count, ended = framing.ends > 0
                if left == 0 {
                    framing.mode = ended ? .head : .passThrough
                } else {
                    framing.mode = ended ? .passThrough : .body(remaining: left)
                }
            case .head:
                guard let length = Self.headLength(buffer.readableBytesView, resumingAt: max(0, scanned - 3)) else {
                    scanned = buffer.readableBytes
                    if buffer.readableBytes > Self.headLimit { framing.mode = .passThrough }
                    held = buffer
                    if case .passThrough = framing.mode { scanned = 0; continue }
                    return
                }
                scanned = 0
                guard let head = buffer.readSlice(length: length) else { return }
                held = buffer.readableBytes > 0 ? buffer : nil
                framing.heads = 0
                framing.ends = 0
                framing.bodyLength = nil
                context.fireChannelRead(wrapInboundOut(Self.encodingRequestLine(head, allocator: context.channel.allocator)))
                // Exactly one head, then either its end or a body of known length: the next request starts
                // where the parser's message ends. Anything else: the parser's position is not known here.
                if framing.heads != 1 {
                    framing.mode = .passThrough
                } else if framing.ends == 1 {
                    framing.mode = .head
                } else if framing.ends == 0, let length = framing.bodyLength, length > 0 {
                    framing.mode = .body(remaining: length)
                } else {
                    framing.mode = .passThrough
                }
            }
        }
    }

    /// The length of the request head at the start of `bytes` (the blank lines the parser skips before a
    /// request, the request line, the header lines and the empty line), or nil while it is incomplete. The
    /// parser takes only CRLF line ends, so the head ends at the first CRLFCRLF after the request line starts.
    /// `resumingAt`: how far into `bytes` an earlier search found no end (minus the 3 bytes an end spanning
    /// the boundary may start with); the search goes on from there, never into the leading blank lines.
    static func headLength(_ bytes: ByteBufferView, resumingAt offset: Int = 0) -> Int? {
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] == 13 || bytes[index] == 10 { index += 1 }
        guard bytes.endIndex - index >= 4 else { return nil }
        if offset > 0 { index = max(index, bytes.startIndex + min(offset, bytes.count)) }
        var matched = 0
        while index < bytes.endIndex {
            let byte = bytes[index]
            switch (matched, byte) {
            case (0, 13), (2, 13): matched += 1
            case (1, 10): matched = 2
            case (3, 10): return index + 1 - bytes.startIndex
            case (_, 13): matched = 1
            default: matched = 0
            }
            index += 1
        }
        return nil
    }

    /// `head` with each byte from 0x80 up in its request line (its first line after blank ones) written as
    /// `%XX`; `head` itself when there is none.
    static func encodingRequestLine(_ head: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        let bytes = head.readableBytesView
        var start = bytes.startIndex
        while start < bytes.endIndex, bytes[start] == 13 || bytes[start] == 10 { start += 1 }
        let end = bytes[start...].firstIndex(of: 10) ?? bytes.endIndex
        guard bytes[start..<end].contains(where: { $0 >= 0x80 }) else { return head }
        let hex = Array("0123456789ABCDEF".utf8)
        var out = allocator.buffer(capacity: bytes.count + 32)
        out.writeBytes(bytes[bytes.startIndex..<start])
        for byte in bytes[start..<end] {
            if byte >= 0x80 {
                out.writeBytes([UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            } else {
                out.writeInteger(byte)
            }
        }
        out.writeBytes(bytes[end...])
        return out
    }
}

/// Behind the HTTP/1 parser: tells ``RequestFraming`` each request head and end it produced, and answers a
/// request it cannot parse (a ``NIOHTTP1/HTTPParserError``) with a problem document and `Connection:
/// close` where Hummingbird would send a bare 400 — when no request is being read or answered on the
/// connection then (between requests, where a new request's head failed). Otherwise the error goes on to
/// Hummingbird as before (whose answer to it must follow the response under way).
final class RequestBoundaryObserver: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let framing: RequestFraming
    /// A request's head was read and its end not yet.
    private var readingRequest = false
    /// Requests read whose response has not ended yet.
    private var responsesOwed = 0
    /// This connection's parse error was answered; it closes.
    private var answered = false

    init(framing: RequestFraming) {
        self.framing = framing
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            readingRequest = true
            responsesOwed += 1
            framing.observed(head)
        case .body:
            break
        case .end:
            readingRequest = false
            framing.observedEnd()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), responsesOwed > 0 { responsesOwed -= 1 }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // After the answer the connection closes: the parser's later complaints have no one to tell.
        if answered { return }
        guard let parseError = error as? HTTPParserError, !readingRequest, responsesOwed == 0 else {
            context.fireErrorCaught(error)
            return
        }
        answered = true
        framing.mode = .passThrough
        let body = Problem.malformedRequest(parseError).jsonBody()
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/problem+json")
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .badRequest, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

extension Problem {
    /// A request the HTTP/1 parser could not read (answered before any route, and the connection closed).
    static func malformedRequest(_ error: HTTPParserError) -> Problem {
        if case .invalidURL = error {
            return Problem("malformed-request", .badRequest,
                           "the request target holds characters a URI may not: percent-encode them (RFC 3986), e.g. a space as %20")
        }
        return Problem("malformed-request", .badRequest, "the request is not well-formed HTTP/1.1")
    }
}
