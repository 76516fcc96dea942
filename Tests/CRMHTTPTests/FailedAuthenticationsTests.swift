@testable import CRMHTTP
import Testing

/// The bound of the API's recorded sign-in refusals: per address, and for all addresses together, so a client
/// rotating addresses cannot fill the read audit either.
@Suite struct FailedAuthenticationsTests {
    @Test func addressesRotatedPastTheTotalLimitAreThrottledUnrecorded() async {
        let failures = FailedAuthentications(limit: 2, totalLimit: 5)
        var outcomes: [FailedAuthentications.Outcome] = []
        for n in 0..<8 { outcomes.append(await failures.refused("2001:db8::\(n)")) }
        #expect(outcomes.prefix(5).allSatisfy { $0 == .counted })
        #expect(outcomes.dropFirst(5).allSatisfy { if case .throttled = $0 { true } else { false } }, "\(outcomes)")
    }

    @Test func oneAddressIsThrottledPastItsOwnLimitWhileOthersAreCounted() async {
        let failures = FailedAuthentications(limit: 2, totalLimit: 100)
        #expect(await failures.refused("192.0.2.1") == .counted)
        #expect(await failures.refused("192.0.2.1") == .counted)
        if case .throttled(let retryAfter) = await failures.refused("192.0.2.1") {
            #expect(retryAfter >= 1 && retryAfter <= 900)
        } else {
            Issue.record("the third refusal of one address is throttled")
        }
        #expect(await failures.refused("192.0.2.2") == .counted)
    }
}
