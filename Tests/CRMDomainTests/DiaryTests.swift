import CRMDomain
import EventSourcing
import Foundation
import Testing

private let itemID = UUID(uuidString: "00000000-0000-0000-0000-0000000d1001")!
private let customerID = UUID(uuidString: "00000000-0000-0000-0000-00000000c001")!

private func item(_ note: String = "Prepare the renewal offer", day: String = "2026-03-12", time: String? = "09:30",
                  customer: UUID? = customerID) -> Diary.Item {
    Diary.Item(id: itemID, date: date(day), time: time.flatMap(TimeOfDay.init), note: note, customerID: customer)
}

@Suite("Diary")
struct DiaryTests {
    @Test func addingAnItemRecordsIt() {
        var s = Scenario(Diary.self)
        #expect(s.apply(.addItem(item())) == [.itemAdded(DiaryItemAdded(item: item()))])
        #expect(s.state.items[itemID] == item())
        #expect(Diary.stream(employee: "emp-7").rawValue == "diary-emp-7")
    }

    @Test func addingTrimsTheNoteAndNeedsOne() {
        let s = Scenario(Diary.self)
        let events = s.when(.addItem(item("  Call the notary  ")))
        #expect(events == [.itemAdded(DiaryItemAdded(item: item("Call the notary")))])
        let error = s.whenRefused(.addItem(item("   ")))
        #expect(error?.code == .invalid)
        #expect(error?.field == "note")
    }

    @Test func addingTheSameItemAgainRecordsNothingButADifferentOneWithItsIDIsRefused() {
        let s = Scenario(Diary.self, given: [.itemAdded(DiaryItemAdded(item: item()))])
        #expect(s.when(.addItem(item())).isEmpty)
        let error = s.whenRefused(.addItem(item("Something else")))
        #expect(error?.code == .alreadyExists)
        #expect(error?.field == "id")
    }

    @Test func changingAnItemRecordsExactlyTheChangedFields() {
        var s = Scenario(Diary.self, given: [.itemAdded(DiaryItemAdded(item: item()))])
        let events = s.apply(.changeItem(item(day: "2026-03-13", time: "14:00")))
        #expect(events == [.itemChanged(DiaryItemChanged(itemID: itemID, changes: [
            FieldChange(field: "date", old: .date(date("2026-03-12")), new: .date(date("2026-03-13"))),
            FieldChange(field: "time", old: .text("09:30"), new: .text("14:00")),
        ]))])
        #expect(s.state.items[itemID] == item(day: "2026-03-13", time: "14:00"))
    }

    @Test func changingCanClearTheTimeAndTheCustomer() {
        var s = Scenario(Diary.self, given: [.itemAdded(DiaryItemAdded(item: item()))])
        let events = s.apply(.changeItem(item("New note", time: nil, customer: nil)))
        #expect(events == [.itemChanged(DiaryItemChanged(itemID: itemID, changes: [
            FieldChange(field: "time", old: .text("09:30"), new: nil),
            FieldChange(field: "note", old: .text("Prepare the renewal offer"), new: .text("New note")),
            FieldChange(field: "customerID", old: .id(customerID), new: nil),
        ]))])
        #expect(s.state.items[itemID] == item("New note", time: nil, customer: nil))
    }

    @Test func aChangeThatChangesNothingRecordsNothing() {
        let s = Scenario(Diary.self, given: [.itemAdded(DiaryItemAdded(item: item()))])
        #expect(s.when(.changeItem(item(" Prepare the renewal offer "))).isEmpty)
    }

    @Test func changingNeedsAnExistingItemAndANote() {
        #expect(Scenario(Diary.self).whenRefused(.changeItem(item()))?.code == .notFound)
        let s = Scenario(Diary.self, given: [.itemAdded(DiaryItemAdded(item: item()))])
        #expect(s.whenRefused(.changeItem(item("")))?.field == "note")
    }

    @Test func removingAnItemNeedsItToExist() {
        var s = Scenario(Diary.self, given: [.itemAdded(DiaryItemAdded(item: item()))])
        #expect(s.apply(.removeItem(id: itemID)) == [.itemRemoved(DiaryItemRemoved(itemID: itemID))])
        #expect(s.state.items.isEmpty)
        #expect(s.whenRefused(.removeItem(id: itemID))?.code == .notFound)
    }

    @Test func subscribingRecordsTheSubscriptionAndItsPreviousLeadTime() {
        var s = Scenario(Diary.self)
        let first = Diary.Subscription(kind: .contractExpiry, leadDays: 14)
        #expect(s.apply(.subscribe(first)) == [.subscriptionSet(DiarySubscriptionSet(subscription: first, previous: nil))])
        let second = Diary.Subscription(kind: .contractExpiry, leadDays: 60)
        #expect(s.apply(.subscribe(second)) == [.subscriptionSet(DiarySubscriptionSet(subscription: second, previous: first))])
        #expect(s.state.subscriptions[.contractExpiry] == second)
        #expect(s.when(.subscribe(second)).isEmpty, "subscribing again with the same lead records nothing")
    }

    @Test func onlyKindsWithOccurrencesCanBeSubscribedTo() {
        let s = Scenario(Diary.self)
        for kind in [ReminderKind.diary, .subscription] {
            let error = s.whenRefused(.subscribe(Diary.Subscription(kind: kind, leadDays: 1)))
            #expect(error?.code == .invalid)
            #expect(error?.field == "kind")
        }
        #expect(Diary.subscribableKinds.count == 5)
    }

    @Test func aSubscriptionLeadTimeMustBeWithinAYear() {
        let s = Scenario(Diary.self)
        #expect(s.whenRefused(.subscribe(Diary.Subscription(kind: .birthday, leadDays: -1)))?.field == "leadDays")
        #expect(s.whenRefused(.subscribe(Diary.Subscription(kind: .birthday, leadDays: 367)))?.field == "leadDays")
        #expect(s.when(.subscribe(Diary.Subscription(kind: .birthday, leadDays: nil))).count == 1, "no lead time: the setting's")
    }

    @Test func unsubscribingNeedsASubscription() {
        var s = Scenario(Diary.self, given: [.subscriptionSet(DiarySubscriptionSet(subscription: .init(kind: .holiday, leadDays: 2)))])
        #expect(s.apply(.unsubscribe(kind: .holiday)) == [.unsubscribed(DiaryUnsubscribed(kind: .holiday))])
        #expect(s.state.subscriptions.isEmpty)
        #expect(s.whenRefused(.unsubscribe(kind: .holiday))?.code == .notFound)
    }

    @Test func itemsAreListedByDayThenTime() {
        let a = Diary.Item(id: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, date: date("2026-03-12"), time: TimeOfDay("15:00"), note: "a")
        let b = Diary.Item(id: UUID(uuidString: "00000000-0000-0000-0000-000000000002")!, date: date("2026-03-12"), note: "b")
        let c = Diary.Item(id: UUID(uuidString: "00000000-0000-0000-0000-000000000003")!, date: date("2026-03-11"), time: TimeOfDay("18:00"), note: "c")
        let state = Diary.replay([a, b, c].map { .itemAdded(DiaryItemAdded(item: $0)) })
        #expect(state.sortedItems.map(\.note) == ["c", "b", "a"])
    }

    @Test func timesOfDayParseAndFallOnTheRightInstantInAZone() throws {
        #expect(TimeOfDay("09:30")?.description == "09:30")
        #expect(TimeOfDay("24:00") == nil)
        #expect(TimeOfDay("9:30") == nil)
        #expect(TimeOfDay("09:60") == nil)
        let shanghai = try #require(LocalCalendar(timeZoneID: "Asia/Shanghai"))
        let time = try #require(TimeOfDay("09:30"))
        // 09:30 in Shanghai is 01:30 UTC the same day.
        #expect(time.instant(on: date("2026-03-12"), in: shanghai) == Date(timeIntervalSince1970: 1_773_279_000))
        #expect(time.instant(on: date("2026-03-12"), in: .utc) == Date(timeIntervalSince1970: 1_773_307_800))
    }

    @Test func everyDiaryEventRoundTripsThroughBothEncodings() throws {
        try expectRoundTrips([
            DiaryEvent.itemAdded(DiaryItemAdded(item: item())),
            .itemAdded(DiaryItemAdded(item: item("无时间", time: nil, customer: nil))),
            .itemChanged(DiaryItemChanged(itemID: itemID, changes: [FieldChange(field: "time", old: .text("09:30"), new: nil)])),
            .itemRemoved(DiaryItemRemoved(itemID: itemID)),
            .subscriptionSet(DiarySubscriptionSet(subscription: .init(kind: .birthday, leadDays: 5), previous: .init(kind: .birthday))),
            .unsubscribed(DiaryUnsubscribed(kind: .appointment)),
        ])
    }
}
