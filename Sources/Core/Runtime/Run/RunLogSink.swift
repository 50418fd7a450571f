import Foundation
import RLRunSDK

public enum LogFormat: String, Sendable {
    case text, json
}

/// Where run log lines go: standard output unbuffered (so progress shows as it happens), as
/// text above the progress bar or as JSON objects, all of them or only the important ones.
public struct RunLogSink: Sendable {
    public let format: LogFormat
    public let quiet: Bool
    public let bar: ProgressBar?
    /// Where lines go when there is no bar (standard output, unbuffered, by default).
    let output: FileHandle
    /// A rank other than 0 of a data-parallel run: it prints only its warnings and alerts,
    /// marked with its rank (rank 0 speaks for the run).
    public var followerRank: Int?

    public init(format: LogFormat, quiet: Bool, bar: ProgressBar?, output: FileHandle = .standardOutput) {
        self.format = format
        self.quiet = quiet
        self.bar = bar
        self.output = output
    }

    public static let quietTags = ["[DONE]", "[DIST]", "[EVAL] Step", "[ALERT]", "[WARN]", "[RUN] Stopping", "[RUN] Stopped", "[RUN] Interrupted", "[RUN] Quit"]

    public var line: @Sendable (String) -> Void {
        { [self] text in
            if quiet && !Self.quietTags.contains(where: text.hasPrefix) { return }
            var text = text
            if let followerRank {
                guard let tag = ["[WARN]", "[ALERT]"].first(where: text.hasPrefix) else { return }
                text = "\(tag) rank \(followerRank):" + text.dropFirst(tag.count)
            }
            switch format {
            case .text:
                if let bar { bar.print(text) } else { output.write(Data((text + "\n").utf8)) }
            case .json:
                let tag = text.hasPrefix("[") ? String(text.dropFirst().prefix { $0 != "]" }) : "LOG"
                let message = text.hasPrefix("[") ? String(text.drop { $0 != "]" }.dropFirst().drop { $0 == " " }) : text
                let object = JSONValue.object(["time": .string(ISO8601DateFormatter().string(from: Date())), "tag": .string(tag),
                                               "message": .string(message)])
                output.write(Data((object.jsonText + "\n").utf8))
            }
        }
    }
}
