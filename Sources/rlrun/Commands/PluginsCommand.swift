import ArgumentParser
import Core
import Foundation
import RLRunSDK

struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugins rlrun finds, or show one plugin's options.",
        discussion: """
        Plugins are searched in $\(PluginSearchPath.environmentVariable) (colon-separated folders), then the folder \
        of the rlrun binary, then ~/.rlrun/plugins. A name like dapo, dapo.so or libdapo.so finds libdapo.so; a \
        name with a / is a path.
        """,
        subcommands: [List.self, Inspect.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every plugin found, with kind, id, version and file.")

        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let loader = PluginLoader()
            let (plugins, failures) = loader.discover()
            if json {
                let entries = plugins.map { plugin -> JSONValue in
                    .object(["kind": .string(plugin.kind.description), "id": .string(plugin.id),
                             "version": .string(plugin.version), "file": .string(plugin.file.path),
                             "description": .string(plugin.summary)])
                }
                let broken = failures.map { JSONValue.object(["file": .string($0.file), "error": .string($0.description)]) }
                print(JSONValue.object(["plugins": .array(entries), "failures": .array(broken),
                                        "search_path": .array(loader.searchPath.directories.map { .string($0.path) })]).jsonText)
                return
            }
            print("Search path: \(loader.searchPath.describe())")
            if plugins.isEmpty { print("No plugins found.") }
            for kind in PluginKind.allCases {
                let ofKind = plugins.filter { $0.kind == kind }.sorted { $0.id < $1.id }
                guard !ofKind.isEmpty else { continue }
                print("\n\(kind == .masking ? "masking strategies" : "\(kind)s"):")
                for plugin in ofKind {
                    print("  \(plugin.id.padding(toLength: 14, withPad: " ", startingAt: 0)) \(plugin.version.padding(toLength: 8, withPad: " ", startingAt: 0)) \(plugin.summary)")
                    print("  \(String(repeating: " ", count: 24))\(plugin.file.path)")
                }
            }
            for failure in failures { print("\nnot loadable: \(failure)") }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one plugin's description and options.")

        @Argument(help: "Plugin name or path (e.g. gsm8k, libdapo.so, ./build/libmine.so).") var name: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let loader = PluginLoader()
            let url = try loader.searchPath.resolve(name)
            let library = try LoadedLibrary.open(url)
            for plugin in library.plugins {
                if json {
                    let options = plugin.options.map { option -> JSONValue in
                        var fields: [String: JSONValue] = ["name": .string(option.name), "type": .string(option.type.name),
                                                           "default": option.defaultValue, "help": .string(option.help)]
                        if case .choice(let choices) = option.type { fields["choices"] = .array(choices.map { .string($0) }) }
                        return .object(fields)
                    }
                    print(JSONValue.object(["kind": .string(plugin.kind.description), "id": .string(plugin.id),
                                            "version": .string(plugin.version), "file": .string(plugin.file.path),
                                            "description": .string(plugin.summary), "options": .array(options)]).jsonText)
                    continue
                }
                print("\(plugin.id) \(plugin.version) — \(plugin.kind) plugin")
                print(plugin.summary)
                print("file: \(plugin.file.path)")
                print(plugin.options.isEmpty ? "options: none" : "options:")
                for option in plugin.options {
                    var type = option.type.name
                    if case .choice(let choices) = option.type { type = choices.joined(separator: "|") }
                    print("  \(option.name) (\(type), default \(option.defaultValue.jsonText))")
                    print("      \(option.help)")
                }
            }
        }
    }
}
