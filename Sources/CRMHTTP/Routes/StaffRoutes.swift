import CRMDomain
import CRMEngine
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// The organisation's units, announcements, the staff board and its sensitive words, feedback and
    /// report forms, and personal diaries. As everywhere, the engine authorizes and fills in who acts: a
    /// board post's author, a form's submitter and an announcement's reader are the caller as the
    /// organisation records them, whatever a body says.
    func addStaffRoutes(to v1: Group) {
        // Units (department → office → team) live in the organisation's one record.
        create(v1, "units", Organisation.self) { id, body in
            .createUnit(OrgUnit(id: id, kind: try body.enumValue("kind", OrgUnit.Kind.self), name: try body.string("name", max: 200),
                                parentID: try body.optionalUUID("parentId")))
        }
        v1.get("units") { request, context in
            let (state, _) = try await engine.state(Organisation.self, id: Self.singletonID, as: try context.requirePrincipal())
            return try page(Array(state.units.values), key: { $0.id.uuidString }, request: request, path: "/v1/units")
        }
        v1.get("units/:id") { request, context in
            let (organisation, version) = try await organisationRecord(context, request: request)
            guard let unit = organisation.units[try pathID(context)] else { throw Problem.notFound() }
            return try JSONOutput.reflected(unit, version: version)
        }
        command(v1, "units/:id/rename", Organisation.self) { id, body in .renameUnit(unitID: id, name: try body.string("name", max: 200)) }
        command(v1, "units/:id/move", Organisation.self) { id, body in .moveUnit(unitID: id, parentID: try body.optionalUUID("parentId")) }
        command(v1, "units/:id/dissolve", Organisation.self) { id, _ in .dissolveUnit(unitID: id) }

        // Announcements: published to departments, branches, roles or named employees; each reader marks
        // their own copy read.
        create(v1, "announcements", Announcement.self) { id, body in
            .publish(announcementID: id, title: try body.string("title", max: 200), body: try body.string("body", max: 20_000),
                     targets: try body.optionalDecoded("targets", TargetsBody.self).map(\.targets) ?? AnnouncementTargets(),
                     expiresAt: try body.optionalDate("expiresAt"))
        }
        v1.get("announcements") { request, context in
            let query = QueryParameters(request: request)
            let items = try await engine.announcements(as: try context.requirePrincipal(), consistentWith: try query.position("consistentWith"))
            return try JSONOutput.reflected(["items": items])
        }
        // By id: for whoever may query announcements over all data, and for its own targets (their copy).
        // With `asOf`, the announcement then: only for the former (a target's copy is answered as it is now).
        v1.get("announcements/:id") { request, context in
            let principal = try context.requirePrincipal()
            let id = try pathID(context)
            guard try await asOf(QueryParameters(request: request)) != nil else {
                let (state, version) = try await engine.announcement(id, as: principal)
                return try JSONOutput.reflected(state, version: version)
            }
            guard principal.may(.query, in: Announcement.module, on: .global, at: engine.configuration.clock.now()) else {
                throw Problem.invalid("asOf", "not available for this resource without the organisation module's query permission over all data")
            }
            let (state, version) = try await recordState(Announcement.self, id: id, request: request, context: context)
            return try JSONOutput.reflected(state, version: version)
        }
        v1.post("announcements/:id/read") { request, context in
            let body = try await body(request)
            try body.finish()
            guard let employee = try context.requirePrincipal().employeeID else {
                throw Problem.invalid("reader", "only an employee has a copy to mark as read")
            }
            return try await execute(Announcement.self, id: try pathID(context), .markRead(AnnouncementReader(employeeID: employee)),
                                     request: request, context: context)
        }
        command(v1, "announcements/:id/withdraw", Announcement.self) { _, body in .withdraw(reason: try body.string("reason", max: 2000)) }

        // The staff board: real-name threads checked against the recorded sensitive words.
        create(v1, "board/threads", BoardThread.self) { id, body in
            .start(threadID: id, title: try body.string("title", max: 200), try draft(body), words: [])
        }
        list(v1, "board/threads", BoardThread.self)
        record(v1, "board/threads/:id", BoardThread.self)
        command(v1, "board/threads/:id/replies", BoardThread.self) { _, body in .reply(try draft(body), words: []) }
        command(v1, "board/threads/:id/hide", BoardThread.self) { _, body in
            .hide(postID: try body.uuid("postId"), reason: try body.string("reason", max: 2000))
        }
        command(v1, "board/threads/:id/restore", BoardThread.self) { _, body in
            .restore(postID: try body.uuid("postId"), reason: try body.string("reason", max: 2000))
        }
        command(v1, "board/threads/:id/lock", BoardThread.self) { _, body in .lock(reason: try body.string("reason", max: 2000)) }
        command(v1, "board/threads/:id/unlock", BoardThread.self) { _, body in .unlock(reason: try body.string("reason", max: 2000)) }
        // 200 with no words (ETag "0") before the first word is added — with `asOf`, before that point too.
        v1.get("settings/sensitive-words") { request, context in
            let principal = try context.requirePrincipal()
            guard let point = try await asOf(QueryParameters(request: request)) else {
                let (state, version) = try await engine.sensitiveWords(as: principal)
                return try JSONOutput.reflected(state, version: version)
            }
            let state: SensitiveWordList.State, version: StreamVersion
            do {
                (state, version) = try await engine.stateIfExisting(SensitiveWordList.self, id: Self.singletonID, asOf: point, as: principal)
                    ?? (SensitiveWordList.initialState, .noStream)
            } catch let error as EngineError where error.code == .notFound {
                // No word recorded yet (empty then too, for whoever may query it), or not the caller's to see.
                (state, version) = try await engine.sensitiveWords(as: principal)
            }
            return try JSONOutput.reflected(state, version: version)
        }
        singleton(v1, "settings/sensitive-words", SensitiveWordList.self) { body in .add(try body.decodedAll(SensitiveWord.self)) }
        singleton(v1, "settings/sensitive-words/remove", SensitiveWordList.self) { body in .remove(word: try body.string("word", max: 100)) }

        // Feedback and report forms (R-ORG-3): submitted by the caller, reviewed through the approvals inbox.
        create(v1, "feedback-forms", FeedbackForm.self) { id, body in
            .submit(id: id, template: try body.decoded("template", FeedbackTemplate.self), submittedBy: "",
                    reporter: try body.string("reporter", max: 100), reviewer: try body.string("reviewer", max: 100),
                    branch: try body.string("branch", max: 100), values: try body.decoded("values", [FeedbackValue].self))
        }
        record(v1, "feedback-forms/:id", FeedbackForm.self)
        command(v1, "feedback-forms/:id/amend", FeedbackForm.self) { _, body in .amend(employee: "", values: try body.decoded("values", [FeedbackValue].self)) }
        // The review (approve in organisation): started under the id of a workflow instance about the form
        // (the engine refuses any other), then reviewed or returned under that same id.
        command(v1, "feedback-forms/:id/start-review", FeedbackForm.self) { _, body in .startReview(workflowID: try body.uuid("workflowId")) }
        command(v1, "feedback-forms/:id/reviewed", FeedbackForm.self) { _, body in .markReviewed(workflowID: try body.uuid("workflowId")) }
        command(v1, "feedback-forms/:id/return", FeedbackForm.self) { _, body in
            .markReturned(workflowID: try body.uuid("workflowId"), reason: try body.string("reason", max: 2000))
        }

        // Personal diaries (R-TSK-7): the record id is the employee's id.
        record(v1, "diaries/:id", Diary.self)
        command(v1, "diaries/:id/items", Diary.self) { _, body in .addItem(try body.decodedAll(Diary.Item.self)) }
        command(v1, "diaries/:id/items/change", Diary.self) { _, body in .changeItem(try body.decodedAll(Diary.Item.self)) }
        command(v1, "diaries/:id/items/remove", Diary.self) { _, body in .removeItem(id: try body.uuid("id")) }
        command(v1, "diaries/:id/subscriptions", Diary.self) { _, body in .subscribe(try body.decodedAll(Diary.Subscription.self)) }
        command(v1, "diaries/:id/subscriptions/remove", Diary.self) { _, body in .unsubscribe(kind: try body.enumValue("kind", ReminderKind.self)) }
    }

    /// A board post's text; its id is the body's `postId` or a new one, its author the caller (the engine's).
    private func draft(_ body: JSONObjectReader) throws -> BoardThread.Draft {
        BoardThread.Draft(postID: try body.optionalUUID("postId") ?? engine.configuration.ids.next(), author: "", authorName: "", body: try body.string("body", max: 20_000))
    }
}

/// An announcement's targets as a body gives them: every list optional.
private struct TargetsBody: Codable {
    var departments: [UUID]?
    var branches: [String]?
    var roles: [UUID]?
    var employees: [UUID]?

    var targets: AnnouncementTargets {
        AnnouncementTargets(departments: departments ?? [], branches: branches ?? [], roles: roles ?? [], employees: employees ?? [])
    }
}
