import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Testing

/// A second bootstrap is refused as "already bootstrapped" (not as a version conflict); one that stopped
/// half-way — between its appends — is finished by calling it again with the same administrator.
@Suite struct BootstrapTwiceTests {
    static func admin(_ name: String) throws -> NewEmployee {
        NewEmployee(id: UUID.derived("employee", name), name: name, position: "administrator", branch: "head-office",
                    hiredOn: try EngineFixture.day("2020-01-01"))
    }

    /// An engine over an empty directory (no bootstrap yet).
    static func emptyEngine(_ label: String) async throws -> (CRMEngine, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crm-engine-tests-\(label)-\(UUID().uuidString)").path
        let clock = ManualClock(Date(timeIntervalSince1970: 1_767_225_600))
        return (try await CRMEngine.open(at: directory, configuration: .init(clock: clock, durability: .noSync)), directory)
    }

    static func close(_ engine: CRMEngine, _ directory: String) async {
        await engine.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aSecondBootstrapIsRejectedAsAlreadyBootstrappedAndWritesNothing() async throws {
        let f = try await EngineFixture.make("bootstrap-twice")
        let head = try await f.engine.store.headPosition()
        for admin in [try Self.admin("Ada Admin"), try Self.admin("Someone Else")] {
            do {
                _ = try await f.engine.bootstrap(administrator: admin)
                Issue.record("a second bootstrap was accepted")
            } catch let error as EngineError {
                #expect(error.code == .rejected)
                #expect(error.domain?.code == .alreadyExists)
                #expect(error.message == "the organisation is already bootstrapped")
            }
        }
        #expect(try await f.engine.store.headPosition() == head)
        await f.close()
    }

    /// Stopped after the organisation's append: called again, the bootstrap defines the default workflows and
    /// issues the token; a third call is refused.
    @Test func aBootstrapStoppedAfterTheOrganisationIsFinishedByCallingItAgain() async throws {
        let (engine, directory) = try await Self.emptyEngine("bootstrap-unfinished")
        let admin = try Self.admin("Una Finished")
        try await engine.execute(Organisation.self, id: UUID(), .bootstrap(administrator: admin, roleID: UUID(), roleName: "Administrator", grantID: UUID()),
                                 as: .system)
        let (principal, token) = try await engine.bootstrap(administrator: admin)
        #expect(principal.employeeID == admin.id)
        #expect(try await engine.authenticate(token: token.token).employeeID == admin.id)
        for definition in WorkflowDefinition.defaults {
            let (state, _) = try await engine.state(WorkflowDefinition.self, id: definition.definitionID, as: principal)
            #expect(state.current?.kind == definition.kind)
        }
        await #expect(throws: EngineError.self) { _ = try await engine.bootstrap(administrator: admin) }
        await Self.close(engine, directory)
    }

    /// Stopped after some of the default workflows: those are kept, the others defined, the token issued.
    @Test func aBootstrapStoppedAmidTheWorkflowsIsFinishedByCallingItAgain() async throws {
        let (engine, directory) = try await Self.emptyEngine("bootstrap-unfinished-workflows")
        let admin = try Self.admin("Una Halfway")
        try await engine.execute(Organisation.self, id: UUID(), .bootstrap(administrator: admin, roleID: UUID(), roleName: "Administrator", grantID: UUID()),
                                 as: .system)
        let first = try #require(WorkflowDefinition.defaults.first)
        try await engine.execute(WorkflowDefinition.self, id: first.definitionID, WorkflowDefinition.defineCommand(first), as: .system)
        let (principal, _) = try await engine.bootstrap(administrator: admin)
        for definition in WorkflowDefinition.defaults {
            let (state, version) = try await engine.state(WorkflowDefinition.self, id: definition.definitionID, as: principal)
            #expect(state.current?.version == 1)
            #expect(version == StreamVersion(1))
        }
        await Self.close(engine, directory)
    }

    /// Only the administrator the stopped bootstrap named may finish it; and once their token was issued,
    /// or the organisation changed, it is finished: refused.
    @Test func anUnfinishedBootstrapIsFinishedOnlyForItsOwnAdministrator() async throws {
        let (engine, directory) = try await Self.emptyEngine("bootstrap-unfinished-other")
        let admin = try Self.admin("Una Named")
        try await engine.execute(Organisation.self, id: UUID(), .bootstrap(administrator: admin, roleID: UUID(), roleName: "Administrator", grantID: UUID()),
                                 as: .system)
        let head = try await engine.store.headPosition()
        do {
            _ = try await engine.bootstrap(administrator: try Self.admin("Someone Else"))
            Issue.record("another administrator finished the bootstrap")
        } catch let error as EngineError {
            #expect(error.code == .rejected)
            #expect(error.message == "the organisation is already bootstrapped")
        }
        #expect(try await engine.store.headPosition() == head)
        // The token issued otherwise (the step a stopped bootstrap missed, done by hand): finished.
        _ = try await engine.issueToken(for: admin.id, name: "by hand", as: .system)
        let afterToken = try await engine.store.headPosition()
        await #expect(throws: EngineError.self) { _ = try await engine.bootstrap(administrator: admin) }
        #expect(try await engine.store.headPosition() == afterToken)
        await Self.close(engine, directory)
    }
}
