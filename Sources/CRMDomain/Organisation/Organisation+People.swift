import Foundation

// Bootstrap, the unit hierarchy and employees.
extension Organisation {
    static func bootstrap(_ admin: NewEmployee, roleID: UUID, roleName: String, grantID: UUID,
                          state: State) throws(DomainError) -> [Event] {
        guard !state.bootstrapped, state.isEmpty else {
            throw DomainError(.alreadyExists, "bootstrap is only valid on an empty organisation")
        }
        guard admin.unitID == nil else { throw .invalid("unitID", "the organisation has no unit yet") }
        guard admin.managerID == nil else { throw .invalid("managerID", "the first administrator has no manager") }
        let person = try validated(admin)
        let role = try Validate.text(roleName, field: "roleName", max: 100)
        return [.bootstrapped(OrganisationBootstrapped(
            administratorID: person.id, name: person.name, position: person.position, branch: person.branch,
            hiredOn: person.hiredOn, roleID: roleID, roleName: role, permissions: Permission.everything, grantID: grantID
        ))]
    }

    // MARK: Units

    static func createUnit(_ unit: OrgUnit, state: State) throws(DomainError) -> [Event] {
        guard state.units[unit.id] == nil, !state.dissolvedUnitIDs.contains(unit.id) else {
            throw DomainError(.alreadyExists, field: "unitID", "a unit with this id exists")
        }
        let name = try Validate.text(unit.name, field: "name", max: 100)
        try checkParent(unit.parentID, of: unit.id, kind: unit.kind, state: state)
        guard !state.units.values.contains(where: { $0.parentID == unit.parentID && $0.name == name }) else {
            throw DomainError(.alreadyExists, field: "name", "a unit of that name is already there")
        }
        return [.unitCreated(UnitCreated(unitID: unit.id, kind: unit.kind, name: name, parentID: unit.parentID))]
    }

    static func renameUnit(_ id: UUID, name: String, state: State) throws(DomainError) -> [Event] {
        let unit = try liveUnit(id, state: state)
        let name = try Validate.text(name, field: "name", max: 100, unlessUnchangedFrom: unit.name)
        guard name != unit.name else { return [] }
        guard !state.units.values.contains(where: { $0.parentID == unit.parentID && $0.name == name }) else {
            throw DomainError(.alreadyExists, field: "name", "a unit of that name is already there")
        }
        return [.unitRenamed(UnitRenamed(unitID: id, name: name, previousName: unit.name))]
    }

    static func moveUnit(_ id: UUID, to parentID: UUID?, state: State) throws(DomainError) -> [Event] {
        let unit = try liveUnit(id, state: state)
        guard parentID != unit.parentID else { return [] }
        try checkParent(parentID, of: id, kind: unit.kind, state: state)
        return [.unitMoved(UnitMoved(unitID: id, parentID: parentID, previousParentID: unit.parentID))]
    }

    static func dissolveUnit(_ id: UUID, state: State) throws(DomainError) -> [Event] {
        _ = try liveUnit(id, state: state)
        guard !state.units.values.contains(where: { $0.parentID == id }) else {
            throw .transition("units still sit under this unit")
        }
        guard !state.employees.values.contains(where: { $0.active && $0.unitID == id }) else {
            throw .transition("active employees still belong to this unit")
        }
        return [.unitDissolved(UnitDissolved(unitID: id))]
    }

    /// A parent must exist, rank no lower than the unit, and not lie below the unit (no cycle); only a
    /// department may be top-level.
    static func checkParent(_ parentID: UUID?, of id: UUID, kind: OrgUnit.Kind, state: State) throws(DomainError) {
        guard let parentID else {
            guard kind == .department else { throw .invalid("parentID", "only a department may be top-level") }
            return
        }
        guard let parent = state.units[parentID] else { throw .invalid("parentID", "no such unit") }
        guard kind.mayBeUnder(parent.kind) else {
            throw .invalid("parentID", "\(withArticle(kind.rawValue)) may not sit under \(withArticle(parent.kind.rawValue))")
        }
        guard parentID != id, !state.chain(from: parentID).contains(where: { $0.id == id }) else {
            throw .invalid("parentID", "the move would make the unit its own ancestor")
        }
    }

    static func liveUnit(_ id: UUID, state: State) throws(DomainError) -> OrgUnit {
        guard let unit = state.units[id] else { throw .notFound("no such unit") }
        return unit
    }

    // MARK: Employees

    static func hire(_ new: NewEmployee, state: State) throws(DomainError) -> [Event] {
        guard state.employees[new.id] == nil else { throw DomainError(.alreadyExists, field: "employeeID", "an employee with this id exists") }
        let e = try validated(new)
        if let unitID = e.unitID, state.units[unitID] == nil { throw .invalid("unitID", "no such unit") }
        if let managerID = e.managerID { try checkManager(managerID, state: state) }
        return [.employeeHired(EmployeeHired(employeeID: e.id, name: e.name, unitID: e.unitID, position: e.position,
                                             branch: e.branch, managerID: e.managerID, hiredOn: e.hiredOn))]
    }

    static func changeEmployee(_ id: UUID, _ edit: EmployeeEdit, state: State) throws(DomainError) -> [Event] {
        let old = try activeEmployee(id, state: state)
        // A value the employee already holds is not judged again (it may predate a tightened check).
        let name = try edit.name.map { (n: String) throws(DomainError) in
            try Validate.text(n, field: "name", max: 200, unlessUnchangedFrom: old.name)
        } ?? old.name
        let position = try edit.position.map { (p: String) throws(DomainError) in
            try Validate.text(p, field: "position", max: 100, unlessUnchangedFrom: old.position)
        } ?? old.position
        let branch = try edit.branch.map { (b: String) throws(DomainError) in
            try Validate.text(b, field: "branch", max: 100, unlessUnchangedFrom: old.branch)
        } ?? old.branch
        let unitID = edit.unitID ?? old.unitID
        if unitID != old.unitID, let unitID, state.units[unitID] == nil { throw .invalid("unitID", "no such unit") }
        let managerID = edit.managerID ?? old.managerID
        if managerID != old.managerID, let managerID {
            guard managerID != id else { throw .invalid("managerID", "an employee cannot manage themselves") }
            try checkManager(managerID, state: state)
            guard !state.managers(of: managerID).contains(id) else {
                throw .invalid("managerID", "the change would make the employee their own manager's manager")
            }
        }
        var changes: [FieldChange] = []
        changes.record("name", .text(old.name), .text(name))
        changes.record("unit", old.unitID.map(FieldValue.id), unitID.map(FieldValue.id))
        changes.record("position", .text(old.position), .text(position))
        changes.record("branch", .text(old.branch), .text(branch))
        changes.record("manager", old.managerID.map(FieldValue.id), managerID.map(FieldValue.id))
        guard !changes.isEmpty else { return [] }
        return [.employeeChanged(EmployeeChanged(employeeID: id, changes: changes))]
    }

    static func deactivate(_ id: UUID, reason: String?, state: State) throws(DomainError) -> [Event] {
        _ = try activeEmployee(id, state: state)
        let reason = try Validate.optionalMultilineText(reason, field: "reason", max: 500)
        return [.employeeDeactivated(EmployeeDeactivated(employeeID: id, reason: reason))]
    }

    static func checkManager(_ managerID: UUID, state: State) throws(DomainError) {
        guard let manager = state.employees[managerID], manager.active else {
            throw .invalid("managerID", "the manager must be an active employee")
        }
    }

    static func activeEmployee(_ id: UUID, state: State) throws(DomainError) -> Employee {
        guard let employee = state.employees[id] else { throw .notFound("no such employee") }
        guard employee.active else { throw .transition("the employee is deactivated") }
        return employee
    }

    static func validated(_ new: NewEmployee) throws(DomainError) -> NewEmployee {
        var e = new
        e.name = try Validate.text(new.name, field: "name", max: 200)
        e.position = try Validate.text(new.position, field: "position", max: 100)
        e.branch = try Validate.text(new.branch, field: "branch", max: 100)
        return e
    }
}

extension Employee {
    /// Applies an edit trail's new values (fields `name`, `unit`, `position`, `branch`, `manager`).
    mutating func apply(_ changes: [FieldChange]) {
        for change in changes {
            switch (change.field, change.new) {
            case ("name", .text(let v)?): name = v
            case ("position", .text(let v)?): position = v
            case ("branch", .text(let v)?): branch = v
            case ("unit", .id(let v)?): unitID = v
            case ("unit", nil): unitID = nil
            case ("manager", .id(let v)?): managerID = v
            case ("manager", nil): managerID = nil
            default: break
            }
        }
    }
}
