import CRMDomain
import EventSourcing
import Foundation
import Testing

@Suite("Staff board and sensitive words")
struct BoardTests {
    let words = [SensitiveWord(word: "scam", action: .block), SensitiveWord(word: "赌博", action: .block), SensitiveWord(word: "competitor", action: .flag)]
    let thread = UUID.derived("thread-1")

    func draft(_ body: String, id: String = "p-1", author: String = "emp-1", name: String = "Li Wei") -> BoardThread.Draft {
        BoardThread.Draft(postID: UUID.derived(id), author: author, authorName: name, body: body)
    }

    func started() -> Scenario<BoardThread> {
        var s = Scenario(BoardThread.self)
        s.apply(.start(threadID: thread, title: "Q3 targets", draft("Let us discuss"), words: words))
        return s
    }

    @Test func theFilterFoldsCaseAndFullWidthForms() {
        #expect(SensitiveWordFilter.matches(in: "what a SCAM", words: words).map(\.word) == ["scam"])
        #expect(SensitiveWordFilter.matches(in: "ｓｃａｍ alert", words: words).map(\.word) == ["scam"], "full-width Latin")
        #expect(SensitiveWordFilter.matches(in: "ＳｃＡｍ", words: words).map(\.word) == ["scam"], "full-width mixed case")
        #expect(SensitiveWordFilter.matches(in: "严禁赌博行为", words: words).map(\.word) == ["赌博"], "Chinese inside a sentence")
        #expect(SensitiveWordFilter.matches(in: "all fine here", words: words).isEmpty)
        #expect(SensitiveWordFilter.fold("ＡＢＣ１２３") == "abc123")
    }

    /// Default-ignorable code points display as nothing, so they must not hide a word: zero width space,
    /// soft hyphen, word joiner, joiners, byte order mark, variation selector, the Hangul filler a
    /// half-width filler maps to, with full width and case folded as well.
    @Test func theFilterIgnoresInvisibleCharacters() {
        let list = [SensitiveWord(word: "badword", action: .block)]
        for text in ["bad\u{200B}word", "bad\u{AD}word", "bad\u{2060}word", "bad\u{200C}wo\u{200D}rd", "\u{FEFF}badword",
                     "bad\u{FE0F}word", "bad\u{FFA0}word", "ＢＡＤ\u{200B}ｗｏｒｄ", "B\u{AD}a\u{AD}D\u{AD}word"] {
            #expect(SensitiveWordFilter.matches(in: text, words: list).map(\.word) == ["badword"], "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(SensitiveWordFilter.fold("bad\u{200B}\u{AD}word") == "badword")
        #expect(SensitiveWordFilter.fold("cafe\u{200D}\u{301}") == "café", "a mark split from its letter composes again")
        #expect(SensitiveWordFilter.matches(in: "bad word", words: list).isEmpty, "a visible space still separates")
        // A listed word that is itself only invisible matches nothing (and the list refuses one).
        #expect(SensitiveWordFilter.matches(in: "anything", words: [SensitiveWord(word: "\u{AD}", action: .block)]).isEmpty)
        #expect(Scenario(SensitiveWordList.self).whenRefused(.add(SensitiveWord(word: "\u{AD}\u{AD}", action: .block)))?.field == "word")
    }

    @Test func aBlockedWordHiddenByInvisibleCharactersRefusesThePostNamingTheFieldItIsIn() {
        let list = [SensitiveWord(word: "badword", action: .block), SensitiveWord(word: "competitor", action: .flag)]
        let s = started()
        for body in ["bad\u{200B}word", "bad\u{AD}word"] {
            let error = s.whenRefused(.reply(draft(body, id: "p-2"), words: list))
            #expect(error?.code == .forbidden && error?.field == "body", "\(String(describing: error))")
        }
        let inTitle = Scenario(BoardThread.self).whenRefused(.start(threadID: thread, title: "bad\u{AD}word", draft("fine"), words: list))
        #expect(inTitle?.code == .forbidden && inTitle?.field == "title", "\(String(describing: inTitle))")
        let inBody = Scenario(BoardThread.self).whenRefused(.start(threadID: thread, title: "fine", draft("BADWORD"), words: list))
        #expect(inBody?.code == .forbidden && inBody?.field == "body", "\(String(describing: inBody))")
        // Words to flag are found in the title and the body alike, once each, in list order.
        var flagged = Scenario(BoardThread.self)
        flagged.apply(.start(threadID: thread, title: "Competitor news", draft("the compe\u{AD}titor again"), words: list))
        #expect(flagged.state.flaggedPosts.map(\.flaggedWords) == [["competitor"]])
    }

    @Test func aRealNamePostStartsAThread() {
        let s = started()
        #expect(s.state.title == "Q3 targets")
        #expect(s.state.posts.map(\.authorName) == ["Li Wei"])
        #expect(Scenario(BoardThread.self).whenRefused(.start(threadID: thread, title: "t", draft("b", name: " "), words: []))?.field == "authorName")
        #expect(Scenario(BoardThread.self).whenRefused(.start(threadID: thread, title: " ", draft("b"), words: []))?.field == "title")
        #expect(s.whenRefused(.start(threadID: thread, title: "again", draft("b", id: "p-9"), words: []))?.code == .alreadyExists)
    }

    @Test func aBlockedWordRefusesThePostInAnyWidthOrCase() {
        let s = started()
        for body in ["this is a Scam", "ＳＣＡＭ", "不要赌博"] {
            let error = s.whenRefused(.reply(draft(body, id: "p-2"), words: words))
            #expect(error?.code == .forbidden, "\(body)")
            #expect(error?.field == "body")
        }
        #expect(Scenario(BoardThread.self).whenRefused(.start(threadID: thread, title: "scam news", draft("fine"), words: words))?.code == .forbidden, "titles are checked too")
    }

    @Test func aFlaggedWordPublishesThePostFlagged() {
        var s = started()
        s.apply(.reply(draft("the ＣＯＭＰＥＴＩＴＯＲ is cheaper", id: "p-2"), words: words))
        #expect(s.state.posts.count == 2)
        #expect(s.state.flaggedPosts.map(\.flaggedWords) == [["competitor"]])
    }

    @Test func moderatorsHideRestoreLockAndUnlockWithReasons() {
        var s = started()
        s.apply(.reply(draft("reply", id: "p-2"), words: words))
        let reply = UUID.derived("p-2")
        s.apply(.hide(postID: reply, reason: "off topic"))
        #expect(s.state.visiblePosts.count == 1)
        #expect(s.when(.hide(postID: reply, reason: "again")).isEmpty)
        #expect(s.whenRefused(.hide(postID: reply, reason: " "))?.field == "reason")
        #expect(s.whenRefused(.hide(postID: UUID.derived("nope"), reason: "x"))?.code == .notFound)
        s.apply(.restore(postID: reply, reason: "appeal accepted"))
        #expect(s.state.visiblePosts.count == 2)
        #expect(s.whenRefused(.restore(postID: reply, reason: "x"))?.code == .invalidTransition)
        s.apply(.lock(reason: "heated"))
        #expect(s.whenRefused(.reply(draft("more", id: "p-3"), words: words))?.code == .invalidTransition)
        #expect(s.when(.lock(reason: "again")).isEmpty)
        s.apply(.unlock(reason: "calmed down"))
        #expect(s.whenRefused(.unlock(reason: "x"))?.code == .invalidTransition)
        #expect(!s.when(.reply(draft("more", id: "p-3"), words: words)).isEmpty)
        #expect(Scenario(BoardThread.self).whenRefused(.lock(reason: "x"))?.code == .notFound)
    }

    @Test func repeatingAReplyRecordsNothing() {
        var s = started()
        s.apply(.reply(draft("once", id: "p-2"), words: words))
        #expect(s.when(.reply(draft("once", id: "p-2"), words: words)).isEmpty)
    }

    @Test func theWordListFoldsDuplicatesAndChangesActions() {
        var s = Scenario(SensitiveWordList.self)
        s.apply(.add(SensitiveWord(word: "Scam", action: .flag)))
        #expect(s.when(.add(SensitiveWord(word: "ＳＣＡＭ", action: .flag))).isEmpty, "same word in another width")
        s.apply(.add(SensitiveWord(word: "scam", action: .block)))
        #expect(s.state.words == [SensitiveWord(word: "scam", action: .block)])
        s.apply(.remove(word: "SCAM"))
        #expect(s.state.words.isEmpty)
        #expect(s.whenRefused(.remove(word: "scam"))?.code == .notFound)
        #expect(s.whenRefused(.add(SensitiveWord(word: "  ", action: .block)))?.field == "word")
    }

    @Test func boardEventsRoundTrip() throws {
        let at = Date(timeIntervalSince1970: 1_767_225_600)
        try expectRoundTrips([
            BoardEvent.started(ThreadStarted(threadID: thread, postID: UUID.derived("p"), author: "e", authorName: "王芳", title: "t", body: "b", postedAt: at, flaggedWords: ["x"])),
            .replied(ReplyPosted(threadID: thread, postID: UUID.derived("q"), author: "e", authorName: "n", body: "b", postedAt: at, flaggedWords: [])),
            .hidden(PostHidden(threadID: thread, postID: UUID.derived("q"), moderator: "m", reason: "r")),
            .restored(PostRestored(threadID: thread, postID: UUID.derived("q"), moderator: "m", reason: "r")),
            .locked(ThreadLocked(threadID: thread, moderator: "m", reason: "r")),
            .unlocked(ThreadUnlocked(threadID: thread, moderator: "m", reason: "r")),
        ])
        try expectRoundTrips([
            SensitiveWordListEvent.added(SensitiveWordAdded(word: SensitiveWord(word: "赌博", action: .block))),
            .removed(SensitiveWordRemoved(word: "赌博")),
        ])
    }
}
