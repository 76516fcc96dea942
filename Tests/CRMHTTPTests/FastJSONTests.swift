@testable import CRMHTTP
import CRMProjections
import Foundation
import Testing

/// The hand-written JSON and instant reading of the hot paths give exactly what Foundation gives.
@Suite struct FastJSONTests {
    /// A customer 360 with every kind of field: nils and values, awkward text, fractional and old instants,
    /// decimal amounts, custom values, a loyalty balance.
    private static let sample = #"""
    {"profile": {"id": "019AE994-68FB-7289-A9F9-47BE7B0FB268", "kind": "person", "name": "Jörg \"Jo\" Müller / A\\B",
      "group": "residential", "branch": "berlin", "owner": "emp-1", "status": "active", "isArchived": false,
      "birthday": "1980-02-29", "customFields": [{"formGroup": "residential", "field": "note", "value": {"kind": "number", "value": 12.5}}],
      "externalKeys": [{"system": "erp", "key": "K-1/2"}, {"system": "crm", "key": "Q\\\"1"}], "absorbed": ["019AE994-68FB-7289-A9F9-47BE7B0FB2FF"],
      "industry": "gas", "founded": "1999-12-31", "community": "north", "mergedInto": "019AE994-68FB-7289-A9F9-47BE7B0FB2FE"},
     "contacts": [{"kind": "contact", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB269", "title": "Tab\tNew\nline\u0001 😀 </x>",
       "status": "active", "detail": "primary", "scope": {"owners": []}}],
     "openTasks": [{"kind": "task", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26A", "title": "Call", "status": "dispatched",
       "at": 1767225600.75, "owner": "emp-2", "scope": {"branch": "berlin", "community": "north", "group": "residential", "owners": ["emp-1", "emp-2"]}}],
     "recentTasks": [{"kind": "task", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26B", "title": "Old", "status": "completed",
       "at": -86399.5, "scope": {"group": "residential", "owners": ["emp-1"]}}],
     "openTickets": [], "recentTickets": [], "recentActivity": [],
     "openOpportunities": [{"kind": "opportunity", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26C", "title": "Boiler", "status": "open",
       "detail": "found", "at": 1700000000, "day": "2026-09-22", "amount": {"amount": 15500, "currency": "EUR"},
       "owner": "emp-1", "scope": {"branch": "berlin", "owners": []}}],
     "closedOpportunities": [], "openQuotes": [{"kind": "quote", "id": "019AE994-68FB-7289-A9F9-47BE7B0FB26D", "title": "Q-1",
       "status": "draft", "amount": {"amount": -0.05, "currency": "USD"}, "scope": {"community": "c", "owners": []}}],
     "closedQuotes": [], "contracts": [], "endedContracts": [],
     "revenue": [{"amount": 1234.56, "currency": "EUR"}, {"amount": 0, "currency": "USD"}], "loyaltyBalance": -7}
    """#

    @Test func theCustomer360IsWrittenByteForByteAsTheEncoderWritesIt() throws {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        var view = try decoder.decode(Customer360.self, from: Data(Self.sample.utf8))
        #expect(try Customer360JSON.encode(view) == Array(try JSONOutput.encoder().encode(view)))
        view.loyaltyBalance = nil
        view.revenue = []
        view.profile.customFields = []
        view.profile.externalKeys = []
        view.profile.absorbed = []
        (view.profile.industry, view.profile.founded, view.profile.mergedInto, view.profile.branch) = (nil, nil, nil, nil)
        #expect(String(decoding: try Customer360JSON.encode(view), as: UTF8.self) == String(decoding: try JSONOutput.encoder().encode(view), as: UTF8.self))
    }

    @Test func wholeSecondInstantsAreReadAsFoundationReadsThem() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        for text in ["2027-01-04T09:00:00Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59Z", "1969-12-31T23:59:59Z",
                     "2026-03-01T09:00:00+01:00", "2026-03-01T09:00:00-05:30", "0001-01-01T00:00:00Z", "2400-12-31T12:00:00Z"] {
            #expect(parseInstant(text) == formatter.date(from: text), "\(text)")
        }
        #expect(parseWholeSecondInstant("2027-01-04T09:00:00Z") != nil)
        for text in ["2026-02-29T00:00:00Z", "1582-12-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01 00:00:00Z", "2026-01-01T00:00:00.5Z", "x"] {
            #expect(parseWholeSecondInstant(text) == nil, "\(text)")
        }
        #expect(parseInstant("2026-01-01T00:00:00.5Z") == formatter.date(from: "2026-01-01T00:00:00Z")?.addingTimeInterval(0.5))
    }
}
