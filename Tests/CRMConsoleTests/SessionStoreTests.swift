@testable import CRMConsole
import Foundation
import Testing

@Suite struct SessionStoreTests {
    @Test func loadingTheSignInPageAnyNumberOfTimesNeverSignsAnyoneOut() async {
        let store = SessionStore(idleTimeout: .seconds(3600), maxSessions: 10)
        let signedIn = await store.create(credential: .token("crm_x"))
        // Far more sign-in forms than the store holds, as anyone can load without signing in.
        var anonymous: [String] = []
        for _ in 0..<100 { anonymous.append(await store.create(credential: nil).id) }
        #expect(await store.session(signedIn.id)?.credential != nil, "the signed-in session stays")
        #expect(await store.session(anonymous.last) != nil, "the newest sign-in form works")
        #expect(await store.session(anonymous.first) == nil, "the oldest sign-in forms went")
    }

    @Test func signedInSessionsBeyondTheLimitPushOutTheLeastRecentlyUsed() async {
        let store = SessionStore(idleTimeout: .seconds(3600), maxSessions: 10)
        let first = await store.create(credential: .token("crm_first"))
        var others: [String] = []
        for _ in 0..<9 { others.append(await store.create(credential: .token("crm_other")).id) }
        _ = await store.session(first.id)  // used again: now the most recent
        _ = await store.create(credential: .token("crm_new"))
        #expect(await store.session(first.id) != nil)
        #expect(await store.session(others[0]) == nil, "the least recently used went")
    }
}
