import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import CRMTestSupport

/// A tiny W3C WebDriver client (the JSON protocol over HTTP) driving headless Chromium through a
/// `chromedriver` child process on a free loopback port. Enough for the console's tests: navigate, find
/// by CSS, type, click, read text, cookies and screenshots.
///
/// Chromium missing is an error, not a skip: `make setup` installs Debian's `chromium` and `chromium-driver`.
actor WebDriver {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// chromedriver, started with posix_spawn (CRMTestSupport), not Foundation's `Process`, whose `run()`
    /// crashes the test process now and then on Linux (swiftlang/swift-corelibs-foundation#5472).
    private let process: SpawnedProcess
    /// Stops chromedriver's process group (Chromium with it) should the test process be killed before `quit()`.
    private let groupGuard: ProcessGroupGuard
    private let client: HTTPClient
    private let endpoint: String
    private var session: String = ""
    /// W3C's key for an element reference in JSON.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// Starts chromedriver and a headless Chromium session at phone size (412×915 CSS pixels).
    static func start(width: Int = 412, height: Int = 915) async throws -> WebDriver {
        let environment = ProcessInfo.processInfo.environment
        let driverPath = environment["CHROMEDRIVER"] ?? "/usr/bin/chromedriver"
        let browserPath = environment["CHROMIUM"] ?? "/usr/bin/chromium"
        for path in [driverPath, browserPath] where !FileManager.default.isExecutableFile(atPath: path) {
            throw Failure(description: "\(path) is missing: install Debian's chromium and chromium-driver (make setup does)")
        }
        let port = try await freePort()
        let process = try SpawnedProcess(executable: driverPath, arguments: ["--port=\(port)", "--allowed-ips=127.0.0.1"],
                                         environment: ProcessInfo.processInfo.environment)
        let groupGuard: ProcessGroupGuard
        do {
            groupGuard = try ProcessGroupGuard(group: process.processIdentifier)
        } catch {
            process.signalGroup(SIGKILL)
            throw error
        }
        let driver = WebDriver(process: process, groupGuard: groupGuard, endpoint: "http://127.0.0.1:\(port)")
        do {
            try await driver.waitUntilReady()
            try await driver.newSession(browser: browserPath, width: width, height: height)
        } catch {
            await driver.quit()
            throw error
        }
        return driver
    }

    private init(process: SpawnedProcess, groupGuard: ProcessGroupGuard, endpoint: String) {
        self.process = process
        self.groupGuard = groupGuard
        self.endpoint = endpoint
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    /// A port the system had free a moment ago (bound to 0, read, closed).
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        guard port > 0 else { throw Failure(description: "no free port") }
        return port
    }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let status = try? await call(.GET, "/status", timeout: .seconds(2)),
               let value = status["value"] as? [String: Any], (value["ready"] as? NSNumber)?.boolValue ?? (value["ready"] as? Bool) ?? false { return }
            guard process.isRunning else { throw Failure(description: "chromedriver exited with status \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "chromedriver did not become ready")
    }

    private func newSession(browser: String, width: Int, height: Int) async throws {
        let options: [String: Any] = [
            "binary": browser,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)",
                     "--no-first-run", "--disable-extensions", "--password-store=basic"],
        ]
        let answer = try await call(.POST, "/session", [
            "capabilities": ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options, "pageLoadStrategy": "normal"]],
        ], timeout: .seconds(60))
        guard let value = answer["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            throw Failure(description: "no session in \(answer)")
        }
        session = id
        try await command(.POST, "/timeouts", ["implicit": 5000, "pageLoad": 30000])
    }

    /// Ends the browser session and chromedriver (asked to shut down; killed with its process group — Chromium
    /// too — if it has not within 5 s: it does not always end on SIGTERM), then its group's guard.
    func quit() async {
        if !session.isEmpty { _ = try? await call(.DELETE, "/session/\(session)", timeout: .seconds(10)) }
        session = ""
        _ = try? await call(.GET, "/shutdown", timeout: .seconds(5))
        for _ in 0..<50 where process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning { process.signalGroup(SIGKILL) }
        groupGuard.stop()
        try? await client.shutdown()
    }

    func navigate(to url: String) async throws {
        try await command(.POST, "/url", ["url": url])
    }

    func currentURL() async throws -> String {
        try await command(.GET, "/url") as? String ?? ""
    }

    /// The first element matching `css` (waiting up to the implicit timeout); throws when there is none.
    func find(_ css: String) async throws -> String {
        let value = try await command(.POST, "/element", ["using": "css selector", "value": css])
        guard let element = value as? [String: Any], let id = element[Self.elementKey] as? String else {
            throw Failure(description: "no element \(css)")
        }
        return id
    }

    /// Every element matching `css` (no waiting when there are none).
    func findAll(_ css: String) async throws -> [String] {
        let value = try await command(.POST, "/elements", ["using": "css selector", "value": css])
        return (value as? [[String: Any]] ?? []).compactMap { $0[Self.elementKey] as? String }
    }

    func type(_ text: String, into element: String) async throws {
        try await command(.POST, "/element/\(element)/value", ["text": text])
    }

    func clear(_ element: String) async throws {
        try await command(.POST, "/element/\(element)/clear", [:])
    }

    func click(_ element: String) async throws {
        try await command(.POST, "/element/\(element)/click", [:])
    }

    func text(of element: String) async throws -> String {
        try await command(.GET, "/element/\(element)/text") as? String ?? ""
    }

    /// The text of the first element matching `css`.
    func text(_ css: String) async throws -> String {
        try await text(of: try await find(css))
    }

    func cssValue(_ property: String, of element: String) async throws -> String {
        try await command(.GET, "/element/\(element)/css/\(property)") as? String ?? ""
    }

    struct Cookie: Sendable {
        var name: String
        var path: String?
        var httpOnly: Bool
        var sameSite: String?
    }

    /// The cookies the browser holds for the current page, as WebDriver reports them.
    func cookies() async throws -> [Cookie] {
        let all = try await command(.GET, "/cookie") as? [[String: Any]] ?? []
        return all.map { c in
            Cookie(name: c["name"] as? String ?? "", path: c["path"] as? String, httpOnly: c["httpOnly"] as? Bool ?? false,
                   sameSite: c["sameSite"] as? String)
        }
    }

    func deleteCookies() async throws {
        try await command(.DELETE, "/cookie")
    }

    /// A PNG of the viewport, written to `path`.
    func screenshot(to path: String) async throws {
        guard let base64 = try await command(.GET, "/screenshot") as? String, let png = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// A PNG of one element (scrolled into view), written to `path`.
    func screenshot(of element: String, to path: String) async throws {
        guard let base64 = try await command(.GET, "/element/\(element)/screenshot") as? String, let png = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot")
        }
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// A command of the current session; answers its `value`.
    @discardableResult
    private func command(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let answer = try await call(method, "/session/\(session)\(path)", body, timeout: .seconds(60))
        let value = answer["value"]
        if let problem = value as? [String: Any], let error = problem["error"] as? String {
            throw Failure(description: "\(method) \(path): \(error): \(problem["message"] as? String ?? "")")
        }
        return value
    }

    private func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil, timeout: TimeAmount) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: endpoint + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        } else if method == .POST {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(string: "{}"))
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        guard let object = try JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any] else {
            throw Failure(description: "\(method) \(path): not a JSON object (HTTP \(response.status.code))")
        }
        return object
    }
}

/// Where the browser tests leave their screenshots: `.build/console-screenshots` of the package.
enum Screenshots {
    static let directory: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".build/console-screenshots").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static func path(_ name: String) -> String {
        let path = directory + "/" + name + ".png"
        print("console screenshot: \(path)")
        return path
    }
}
