import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct NewPluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-plugin",
        abstract: "Create a Swift package for a new plugin that builds and loads as it is.",
        discussion: "Example: rlrun new-plugin --kind reward my-reward && cd my-reward && swift build -c release"
    )

    @Option(help: "reward, dataset, masking or algorithm.")
    var kind: String = "reward"

    @Argument(help: "Plugin id: lowercase letters, digits and '-'.")
    var name: String

    @Option(help: "Folder to create (default: ./NAME).")
    var output: String?

    @Option(help: "rlrun's package folder, which the new package depends on (default: found from this binary).")
    var rlrunPath: String?

    func run() throws {
        guard let pluginKind = PluginKind.allCases.first(where: { $0.description == kind }) else {
            throw ValidationError("--kind must be reward, dataset, masking or algorithm")
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        guard let package = rlrunPath.map({ URL(fileURLWithPath: $0) }) ?? PluginScaffold.locateRLRunPackage(from: executable) else {
            throw ValidationError("cannot find rlrun's package from \(executable.path); pass --rlrun-path PATH_TO_RLRUN_CHECKOUT")
        }
        let scaffold = try PluginScaffold(kind: pluginKind, id: name, rlrunPackage: package.standardizedFileURL)
        let folder = URL(fileURLWithPath: output ?? name)
        try scaffold.write(to: folder)
        print("Created \(pluginKind) plugin '\(name)' in \(folder.path)")
        print("Build it:  cd \(folder.path) && swift build -c release")
        print("Check it:  rlrun plugins inspect \(folder.path)/.build/release/lib\(name).so")
    }
}
