/// A file this module could not read or write, with where in it (line or record) things went wrong.
public struct ReportingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    /// "line 3", "record 2", or nil when the problem is the file as a whole.
    public let location: String?
    public let message: String

    public init(file: String, location: String? = nil, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String { [file, location, message].compactMap { $0 }.joined(separator: ": ") }
}
