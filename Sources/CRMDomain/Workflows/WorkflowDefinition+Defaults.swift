import Foundation

extension WorkflowDefinition {
    /// The approver role of the default quote step: not a real role but "any role whose discount limit
    /// covers the quote's current revision" — part 2's rule (``Quote/Command/approve(approverRole:limits:)``).
    /// The engine grants it to an employee with ``ApprovalRouting/quoteApproverRoles(_:draft:limits:)``.
    public static let quoteDiscountApprover = "quote.discountApprover"
    /// The approver role of the default contract step: an employee allowed to `approve` in the `contracts`
    /// module over the contract (part 2's check, made by the engine); granted with
    /// ``ApprovalRouting/approverRoles(_:for:mayApprove:)``.
    public static let contractApprover = "contracts.approve"
    /// The approver role of the default campaign step: an employee allowed to `approve` in the `campaigns`
    /// module over the campaign (part 2's check, made by the engine); granted with
    /// ``ApprovalRouting/approverRoles(_:for:mayApprove:)``.
    public static let campaignApprover = "campaigns.approve"
    /// The approver role of the default feedback form review (R-ORG-3): the reviewer the form names; granted
    /// with ``ApprovalRouting/approverRoles(_:for:mayApprove:)`` to that employee only.
    public static let feedbackReviewer = "feedback.reviewer"
    /// The approver role of the default material request approval (R-MKT-2): an employee allowed to `approve`
    /// in the `campaigns` module over the material's campaign (part 2's check of a direct approval, made by
    /// the engine); granted with ``ApprovalRouting/approverRoles(_:for:mayApprove:)``.
    public static let materialApprover = "materials.approve"
    /// The symbolic approver roles: no employee holds them; whoever may decide the subject acts in them.
    public static let symbolicApproverRoles: Set<String> = [quoteDiscountApprover, contractApprover, campaignApprover, feedbackReviewer, materialApprover]

    /// The fixed id of the default definition for `kind`, so every node and every replay defines the same one.
    ///
    /// ```swift
    /// let stream = WorkflowDefinition.stream(WorkflowDefinition.defaultID(for: .quote))
    /// ```
    public static func defaultID(for kind: WorkflowSubjectKind) -> UUID {
        UUID.derived("workflowdef", "default", kind.rawValue)
    }

    /// Version 1 of the default quote approval: one step decided by ``quoteDiscountApprover``, i.e. by a role
    /// whose discount limit covers the quote — exactly part 2's single-step rule. Part 2 had no deadline; the
    /// default gives the step `deadlineHours` (48), a reminder `reminderLeadHours` (8) before it, and escalates
    /// a late step to `escalateTo` (the department manager, the largest default limit).
    ///
    /// ```swift
    /// let v1 = WorkflowDefinition.defaultQuoteApproval()
    /// let define = WorkflowDefinition.Command.define(id: v1.definitionID, name: v1.name, kind: v1.kind, steps: v1.steps)
    /// ```
    public static func defaultQuoteApproval(deadlineHours: Int = 48, reminderLeadHours: Int = 8,
                                            escalateTo: WorkflowParty = .role("departmentManager")) -> WorkflowDefinitionVersion {
        singleStep(.quote, name: "Quote discount approval", stepName: "Discount approval", role: quoteDiscountApprover,
                   deadlineHours: deadlineHours, reminderLeadHours: reminderLeadHours, escalateTo: escalateTo)
    }

    /// Version 1 of the default contract approval: one step decided by ``contractApprover`` (part 2's single
    /// approval step). Deadline, reminder and escalation as in ``defaultQuoteApproval(deadlineHours:reminderLeadHours:escalateTo:)``.
    public static func defaultContractApproval(deadlineHours: Int = 48, reminderLeadHours: Int = 8,
                                               escalateTo: WorkflowParty = .role("departmentManager")) -> WorkflowDefinitionVersion {
        singleStep(.contract, name: "Contract approval", stepName: "Approval", role: contractApprover,
                   deadlineHours: deadlineHours, reminderLeadHours: reminderLeadHours, escalateTo: escalateTo)
    }

    /// Version 1 of the default campaign approval after feasibility: one step decided by ``campaignApprover``
    /// (part 2's single approval step). Deadline, reminder and escalation as in
    /// ``defaultQuoteApproval(deadlineHours:reminderLeadHours:escalateTo:)``.
    public static func defaultCampaignApproval(deadlineHours: Int = 48, reminderLeadHours: Int = 8,
                                               escalateTo: WorkflowParty = .role("departmentManager")) -> WorkflowDefinitionVersion {
        singleStep(.campaign, name: "Campaign approval", stepName: "Feasibility approval", role: campaignApprover,
                   deadlineHours: deadlineHours, reminderLeadHours: reminderLeadHours, escalateTo: escalateTo)
    }

    /// Version 1 of the default feedback form review (R-ORG-3, R-ORG-5): one step decided by
    /// ``feedbackReviewer``, the reviewer the form names. Deadline, reminder and escalation as in
    /// ``defaultQuoteApproval(deadlineHours:reminderLeadHours:escalateTo:)``.
    public static func defaultFeedbackReview(deadlineHours: Int = 48, reminderLeadHours: Int = 8,
                                             escalateTo: WorkflowParty = .role("departmentManager")) -> WorkflowDefinitionVersion {
        singleStep(.feedbackForm, name: "Feedback form review", stepName: "Review", role: feedbackReviewer,
                   deadlineHours: deadlineHours, reminderLeadHours: reminderLeadHours, escalateTo: escalateTo)
    }

    /// Version 1 of the default approval of a campaign's marketing material request (R-MKT-2, R-ORG-5): one
    /// step decided by ``materialApprover``. Deadline, reminder and escalation as in
    /// ``defaultQuoteApproval(deadlineHours:reminderLeadHours:escalateTo:)``.
    public static func defaultMaterialApproval(deadlineHours: Int = 48, reminderLeadHours: Int = 8,
                                               escalateTo: WorkflowParty = .role("departmentManager")) -> WorkflowDefinitionVersion {
        singleStep(.materialRequest, name: "Material request approval", stepName: "Approval", role: materialApprover,
                   deadlineHours: deadlineHours, reminderLeadHours: reminderLeadHours, escalateTo: escalateTo)
    }

    /// Every default definition, in the order bootstrap records them.
    public static var defaults: [WorkflowDefinitionVersion] {
        [defaultQuoteApproval(), defaultContractApproval(), defaultCampaignApproval(), defaultFeedbackReview(), defaultMaterialApproval()]
    }

    /// The command that records a default definition (version 1) in its stream.
    public static func defineCommand(_ definition: WorkflowDefinitionVersion) -> Command {
        .define(id: definition.definitionID, name: definition.name, kind: definition.kind, steps: definition.steps)
    }

    private static func singleStep(_ kind: WorkflowSubjectKind, name: String, stepName: String, role: String, deadlineHours: Int,
                                   reminderLeadHours: Int, escalateTo: WorkflowParty) -> WorkflowDefinitionVersion {
        WorkflowDefinitionVersion(
            definitionID: defaultID(for: kind), version: 1, name: name, kind: kind,
            steps: [WorkflowStep(name: stepName, approverRole: role, deadlineHours: deadlineHours,
                                 reminderLeadHours: reminderLeadHours, escalateTo: escalateTo)])
    }
}
