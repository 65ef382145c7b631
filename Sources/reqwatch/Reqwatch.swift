import ArgumentParser

@main
struct Reqwatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reqwatch", abstract: "Find attacks in web and API request logs.")
}
