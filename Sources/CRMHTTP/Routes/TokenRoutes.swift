import CRMEngine
import EventSourcing
import Foundation
import Hummingbird

extension Routes {
    /// API tokens: issue (the secret is in this one answer only), list (never secrets), revoke.
    func addTokenRoutes(to v1: RouterGroup<CRMRequestContext>) {
        v1.post("tokens") { request, context in
            let principal = try writer(request, context)
            let body = try await body(request)
            let employee = try body.uuid("employeeId")
            let name = try body.string("name", max: 100)
            let expiresAt = try body.optionalDate("expiresAt")
            try body.finish()
            let issued = try await engine.issueToken(for: employee, name: name, expiresAt: expiresAt, as: principal)
            // No Location: a token is not read back by id (GET /v1/tokens?employee= lists them; /v1/tokens/{id}
            // only revokes).
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            return try JSONOutput.response(IssuedTokenAnswer(issued), status: .created, headers: headers)
        }
        v1.get("tokens") { request, context in
            let principal = try context.requirePrincipal()
            let query = QueryParameters(request: request)
            let employee = try query.string("employee").map { try JSONObjectReader.uuid($0, field: "employee") } ?? principal.employeeID
            guard let employee else { throw Problem.invalid("employee", "name the employee whose tokens to list") }
            return try JSONOutput.response(try await engine.tokens(of: employee, as: principal).map(TokenAnswer.init))
        }
        v1.delete("tokens/:id") { request, context in
            let principal = try writer(request, context)
            let id = try pathID(context)
            let reason = QueryParameters(request: request).string("reason")
            try await engine.revokeToken(id, reason: reason, as: principal)
            return Response(status: .noContent)
        }
    }
}

struct IssuedTokenAnswer: Encodable {
    var tokenId: UUID
    var employeeId: UUID
    /// The bearer token; shown once.
    var token: String
    init(_ issued: IssuedToken) {
        tokenId = issued.tokenID
        employeeId = issued.employeeID
        token = issued.token
    }
}

/// A token as `GET /v1/tokens` lists it (never its secret), its ids named as `POST /v1/tokens` answers them.
struct TokenAnswer: Encodable {
    var tokenId: UUID
    var employeeId: UUID
    var name: String
    var issuedAt: Date
    var expiresAt: Date?
    var revoked: Bool
    init(_ info: TokenInfo) {
        tokenId = info.tokenID
        employeeId = info.employeeID
        name = info.name
        issuedAt = info.issuedAt
        expiresAt = info.expiresAt
        revoked = info.revoked
    }
}
