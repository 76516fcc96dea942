import CRMDomain
import CRMProjections
import EventSourcing
import Foundation
import Testing

/// History entries name what they are about (R-LOG-5): a role grant's period, a diary item's id, a feedback
/// form's values and its status on an amendment.
@Suite struct HistoryItemPathsTests {
    private func changes(_ payload: any EventPayload) -> [FieldChange] { (payload as? HasFieldChanges)?.fieldChanges ?? [] }

    @Test func aRoleGrantsHistoryShowsWhenItIsInForce() {
        let grant = UUID.derived("grant", "period"), employee = UUID.derived("employee", "e"), role = UUID.derived("role", "r")
        let from = Date(timeIntervalSince1970: 1_798_761_600)  // 2027-01-01T00:00:00Z
        let until = Date(timeIntervalSince1970: 1_830_297_600)  // 2028-01-01T00:00:00Z
        let path = "grants.\(grant.lowercasedString)."
        #expect(changes(RoleGranted(grantID: grant, employeeID: employee, roleID: role, validity: ValidityPeriod(from: from, until: until)))
                == [FieldChange(field: path + "employee", old: nil, new: .id(employee)), FieldChange(field: path + "role", old: nil, new: .id(role)),
                    FieldChange(field: path + "validFrom", old: nil, new: .text("2027-01-01T00:00:00Z")),
                    FieldChange(field: path + "validUntil", old: nil, new: .text("2028-01-01T00:00:00Z"))])
        #expect(changes(RoleGranted(grantID: grant, employeeID: employee, roleID: role, validity: ValidityPeriod(until: until))).map(\.field)
                == [path + "employee", path + "role", path + "validUntil"])
    }

    @Test func aDiaryItemsChangeIsNamedUnderItsItemAsItsAdditionIs() throws {
        let before = try #require(LocalDate(year: 2026, month: 12, day: 2)), after = try #require(LocalDate(year: 2026, month: 12, day: 3))
        let item = UUID.derived("diary-item", "i"), customer = UUID.derived("customer", "c")
        let path = "items.\(item.lowercasedString)."
        #expect(changes(DiaryItemChanged(itemID: item, changes: [
            FieldChange(field: "date", old: .date(before), new: .date(after)),
            FieldChange(field: "customerID", old: nil, new: .id(customer)),
        ])).map(\.field) == [path + "date", path + "customer"])
    }

    @Test func aFeedbackFormsAmendmentNamesItsValuesAndTheStatusReturnedToSubmitted() {
        let status = FieldChange(field: "status", old: .option("returned"), new: .option("submitted"))
        #expect(changes(FeedbackFormAmended(changes: [FieldChange(field: "what", old: .text("a"), new: .text("b"))], amendedBy: "e", at: Date()))
                == [FieldChange(field: "values.what", old: .text("a"), new: .text("b")), status])
        #expect(changes(FeedbackFormAmended(changes: [], amendedBy: "e", at: Date())) == [status], "sent again unchanged")
    }
}
