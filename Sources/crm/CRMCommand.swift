import ArgumentParser

/// `crm`: the CRM's command line. Every subcommand is a thin call into the engine (issue 9 adds the rest).
@main
struct CRMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm",
        abstract: "Operate the event-sourced CRM: serve it over HTTP (more subcommands follow).",
        subcommands: [Serve.self]
    )
}
