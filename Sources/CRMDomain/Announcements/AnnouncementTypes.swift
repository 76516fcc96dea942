import Foundation

/// Who an announcement is for: anyone in one of the departments or branches, holding one of the roles, or
/// named. An employee is targeted when any one of these matches.
public struct AnnouncementTargets: Hashable, Sendable, Codable {
    /// Organisation unit ids (departments).
    public var departments: [UUID]
    /// Branch codes.
    public var branches: [String]
    /// Role ids.
    public var roles: [UUID]
    /// Named employees.
    public var employees: [UUID]

    public init(departments: [UUID] = [], branches: [String] = [], roles: [UUID] = [], employees: [UUID] = []) {
        self.departments = departments
        self.branches = branches
        self.roles = roles
        self.employees = employees
    }

    /// Whether no group is named at all.
    public var isEmpty: Bool { departments.isEmpty && branches.isEmpty && roles.isEmpty && employees.isEmpty }

    /// Whether `reader` is in one of the target groups.
    public func includes(_ reader: AnnouncementReader) -> Bool {
        employees.contains(reader.employeeID)
            || reader.departments.contains(where: departments.contains)
            || branches.contains(reader.branch)
            || reader.roles.contains(where: roles.contains)
    }
}

/// An employee as the announcement rules need them, resolved by the engine from the organisation: their
/// id, the departments they belong to (their unit and the units above it), their branch and their roles.
public struct AnnouncementReader: Hashable, Sendable {
    public var employeeID: UUID
    public var departments: [UUID]
    public var branch: String
    public var roles: [UUID]

    public init(employeeID: UUID, departments: [UUID] = [], branch: String = "", roles: [UUID] = []) {
        self.employeeID = employeeID
        self.departments = departments
        self.branch = branch
        self.roles = roles
    }
}
