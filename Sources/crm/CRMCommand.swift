import ArgumentParser

/// `crm`: the CRM's command line. Every subcommand is a thin call into the engine or the log; exit codes
/// and examples are in docs/CLI.md.
@main
struct CRMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm",
        abstract: "Operate, audit and move the data of the event-sourced CRM.",
        discussion: """
            Exit codes: 0 success; 1 failure (storage, unexpected); 2 faults found (verify) or invalid input rows (import); \
            3 the store is held by another process (a running `crm serve`); 4 not found; 5 refused by the engine \
            (permission, rule, conflict); 64 bad usage. See docs/CLI.md.
            """,
        subcommands: [
            Serve.self, Init.self, Token.self, Demo.self, History.self, Show.self, Verify.self, Backup.self, Restore.self,
            Stats.self, ReadAudit.self, Dump.self, Tail.self, Rebuild.self, Replay.self, MigrateStore.self, Import.self, Export.self, CustomerCommand.self, TaskCommand.self, TicketCommand.self, OpportunityCommand.self,
        ]
    )
}
