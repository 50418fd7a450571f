import RLRunABI

/// What a plugin call reports when it fails; crosses the boundary as `rlrun_error`.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    public enum Code: Int32, Sendable {
        case config = 1
        case input = 2
        case failed = 3
        case unsupported = 4
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}

extension rlrun_error {
    /// Stores `message` (truncated to the buffer, always NUL-terminated) and `code`.
    public mutating func set(code: Int32, message: String) {
        self.code = code
        withUnsafeMutableBytes(of: &self.message) { buffer in
            let bytes = Array(message.utf8.prefix(buffer.count - 1))
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
    }

    public var text: String {
        withUnsafeBytes(of: message) { buffer in
            let bytes = buffer.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
