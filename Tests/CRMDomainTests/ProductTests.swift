import CRMDomain
import EventSourcing
import Foundation
import Testing

private let productID = UUID(uuidString: "0196a000-0000-7000-8000-0000000b0101")!
private let created = ProductEvent.created(ProductCreated(productID: productID, productLine: "gas", name: "Smart meter", standardPrice: Money(120, .cny)))
/// 2027-01-01T00:00Z: after every milestone date of the tests (a milestone is never reached in the future).
private let afterTheMilestones = Date(timeIntervalSince1970: 1_798_761_600)
private let planned = ProductEvent.milestonePlanned(ProductMilestonePlanned(productID: productID, name: "launch", plannedDate: date("2026-05-01"), previousPlannedDate: nil))

@Suite("Product")
struct ProductTests {
    @Test func creatingAddsTheProductToItsLineAsActive() {
        var s = Scenario(Product.self)
        #expect(s.apply(.create(productID: productID, productLine: " gas ", name: "Smart meter", standardPrice: Money(120, .cny))) == [created])
        #expect(s.state.status == .active)
        #expect(s.state.productLine == "gas")
        #expect(s.state.standardPrice == Money(120, .cny))
    }

    @Test func creatingIsIdempotentAndValidated() {
        let s = Scenario(Product.self, given: [created])
        #expect(s.when(.create(productID: productID, productLine: "gas", name: "Smart meter", standardPrice: Money(120, .cny))).isEmpty)
        #expect(s.whenRefused(.create(productID: productID, productLine: "gas", name: "Other", standardPrice: Money(120, .cny)))?.code == .alreadyExists)
        let empty = Scenario(Product.self)
        #expect(empty.whenRefused(.create(productID: productID, productLine: "", name: "M", standardPrice: Money(1, .cny)))?.field == "productLine")
        #expect(empty.whenRefused(.create(productID: productID, productLine: "gas", name: " ", standardPrice: Money(1, .cny)))?.field == "name")
        #expect(empty.whenRefused(.create(productID: productID, productLine: "gas", name: "M", standardPrice: Money(-1, .cny)))?.field == "standardPrice")
    }

    @Test func editingRecordsExactlyTheChangedFields() {
        var s = Scenario(Product.self, given: [created])
        let events = s.apply(.edit(productLine: "gas", name: "Smart meter", standardPrice: Money(135, .cny)))
        #expect(events == [.edited(ProductEdited(productID: productID, changes: [
            FieldChange(field: "standardPrice", old: .money(Money(120, .cny)), new: .money(Money(135, .cny))),
        ]))])
        #expect(s.state.standardPrice == Money(135, .cny))
        s.apply(.edit(productLine: "water", name: "Meter II", standardPrice: Money(135, .cny)))
        #expect(s.state.productLine == "water")
        #expect(s.state.name == "Meter II")
        #expect(s.when(.edit(productLine: "water", name: "Meter II", standardPrice: Money(135, .cny))).isEmpty)
        #expect(s.whenRefused(.edit(productLine: "water", name: "Meter II", standardPrice: Money(-1, .cny)))?.field == "standardPrice")
    }

    @Test func retiringAndReactivating() {
        var s = Scenario(Product.self, given: [created])
        #expect(s.apply(.retire(reason: "superseded")) == [.retired(ProductRetired(productID: productID, reason: "superseded"))])
        #expect(s.state.status == .retired)
        #expect(s.when(.retire(reason: nil)).isEmpty)
        #expect(s.whenRefused(.edit(productLine: "gas", name: "x", standardPrice: Money(1, .cny)))?.code == .invalidTransition)
        #expect(s.apply(.reactivate) == [.reactivated(ProductReactivated(productID: productID))])
        #expect(s.state.status == .active)
        #expect(s.when(.reactivate).isEmpty)
    }

    @Test func milestonesArePlannedAndReplannedUntilReached() {
        var s = Scenario(Product.self, given: [created], at: afterTheMilestones)
        #expect(s.apply(.planMilestone(name: "launch", plannedDate: date("2026-05-01"))) == [planned])
        #expect(s.when(.planMilestone(name: "launch", plannedDate: date("2026-05-01"))).isEmpty)
        let moved = s.apply(.planMilestone(name: "launch", plannedDate: date("2026-06-01")))
        #expect(moved == [.milestonePlanned(ProductMilestonePlanned(productID: productID, name: "launch", plannedDate: date("2026-06-01"), previousPlannedDate: date("2026-05-01")))])
        #expect(s.state.milestones.count == 1)
        #expect(s.state.milestone("launch")?.plannedDate == date("2026-06-01"))
        #expect(s.whenRefused(.planMilestone(name: " ", plannedDate: date("2026-06-01")))?.field == "name")
        s.apply(.reachMilestone(name: "launch", actualDate: date("2026-06-01"), delayReason: nil))
        #expect(s.whenRefused(.planMilestone(name: "launch", plannedDate: date("2026-07-01")))?.code == .invalidTransition)
    }

    @Test func timingIsEarlyOnTimeOrDelayed() {
        #expect(Product.Timing(planned: date("2026-05-01"), actual: date("2026-04-30")) == .early)
        #expect(Product.Timing(planned: date("2026-05-01"), actual: date("2026-05-01")) == .onTime)
        #expect(Product.Timing(planned: date("2026-05-01"), actual: date("2026-05-02")) == .delayed)
        let open = Product.Milestone(name: "m", plannedDate: date("2026-05-01"))
        #expect(open.timing(asOf: date("2026-05-01")) == nil)
        #expect(open.timing(asOf: date("2026-05-02")) == .delayed)
        let reached = Product.Milestone(name: "m", plannedDate: date("2026-05-01"), actualDate: date("2026-04-01"))
        #expect(reached.timing(asOf: date("2027-01-01")) == .early)
    }

    @Test func reachingEarlyOrOnTimeNeedsNoReason() {
        var s = Scenario(Product.self, given: [created, planned], at: afterTheMilestones)
        let events = s.apply(.reachMilestone(name: "launch", actualDate: date("2026-04-20"), delayReason: nil))
        #expect(events == [.milestoneReached(ProductMilestoneReached(productID: productID, name: "launch", plannedDate: date("2026-05-01"),
                                                                     actualDate: date("2026-04-20"), timing: .early, delayReason: nil))])
        #expect(s.state.milestoneTimings(asOf: date("2026-12-31")).map(\.timing) == [.early])
        #expect(s.when(.reachMilestone(name: "launch", actualDate: date("2026-04-20"), delayReason: nil)).isEmpty)
        #expect(s.whenRefused(.reachMilestone(name: "launch", actualDate: date("2026-04-21"), delayReason: nil))?.code == .invalidTransition)
    }

    @Test func aDelayedMilestoneNeedsAReason() {
        var s = Scenario(Product.self, given: [created, planned], at: afterTheMilestones)
        let error = s.whenRefused(.reachMilestone(name: "launch", actualDate: date("2026-05-10"), delayReason: "  "))
        #expect(error?.code == .invalid)
        #expect(error?.field == "delayReason")
        s.apply(.reachMilestone(name: "launch", actualDate: date("2026-05-10"), delayReason: "supplier late"))
        #expect(s.state.milestone("launch")?.delayReason == "supplier late")
        #expect(s.state.milestone("launch")?.timing(asOf: date("2026-05-10")) == .delayed)
    }

    @Test func reachingAnUnplannedMilestoneIsNotFound() {
        let s = Scenario(Product.self, given: [created])
        let error = s.whenRefused(.reachMilestone(name: "launch", actualDate: date("2026-05-01"), delayReason: nil))
        #expect(error?.code == .notFound)
        #expect(error?.field == "name")
    }

    @Test func documentVersionsMustIncreasePerTitle() {
        var s = Scenario(Product.self, given: [created])
        let events = s.apply(.addDocumentVersion(title: "Datasheet", version: 1, uri: "s3://docs/ds-1.pdf"))
        #expect(events == [.documentVersionAdded(ProductDocumentVersionAdded(productID: productID, document: Product.DocumentVersion(
            title: "Datasheet", version: 1, uri: "s3://docs/ds-1.pdf", addedAt: s.context.now)))])
        s.apply(.addDocumentVersion(title: "Datasheet", version: 3, uri: "s3://docs/ds-3.pdf"))
        s.apply(.addDocumentVersion(title: "Manual", version: 1, uri: "s3://docs/m-1.pdf"))
        #expect(s.whenRefused(.addDocumentVersion(title: "Datasheet", version: 3, uri: "s3://x"))?.field == "version")
        #expect(s.whenRefused(.addDocumentVersion(title: "Datasheet", version: 2, uri: "s3://x"))?.field == "version")
        #expect(s.whenRefused(.addDocumentVersion(title: "", version: 9, uri: "s3://x"))?.field == "title")
        #expect(s.whenRefused(.addDocumentVersion(title: "Datasheet", version: 9, uri: " "))?.field == "uri")
        #expect(s.state.documents.count == 3)
        #expect(s.state.latestDocuments.map(\.version) == [3, 1])
    }

    @Test func everyCommandOnAMissingProductIsNotFound() {
        let s = Scenario(Product.self)
        let commands: [Product.Command] = [
            .edit(productLine: "gas", name: "M", standardPrice: Money(1, .cny)), .retire(reason: nil), .reactivate,
            .planMilestone(name: "m", plannedDate: date("2026-01-01")), .reachMilestone(name: "m", actualDate: date("2026-01-01"), delayReason: nil),
            .addDocumentVersion(title: "t", version: 1, uri: "u"),
        ]
        for command in commands { #expect(s.whenRefused(command)?.code == .notFound) }
    }

    @Test func everyProductEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            created,
            .edited(ProductEdited(productID: productID, changes: [FieldChange(field: "name", old: .text("a"), new: .text("燃气表"))])),
            .retired(ProductRetired(productID: productID, reason: nil)),
            .reactivated(ProductReactivated(productID: productID)),
            planned,
            .milestoneReached(ProductMilestoneReached(productID: productID, name: "launch", plannedDate: date("2026-05-01"), actualDate: date("2026-05-03"), timing: .delayed, delayReason: "r")),
            .documentVersionAdded(ProductDocumentVersionAdded(productID: productID, document: Product.DocumentVersion(title: "t", version: 2, uri: "u", addedAt: Date(timeIntervalSince1970: 1_767_225_600)))),
        ])
    }
}
