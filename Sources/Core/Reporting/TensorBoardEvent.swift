/// One TensorBoard `Event` record, restricted to what rlrun writes: the file-version header, or
/// a summary of scalars (`simple_value`) and text (string tensors for the text plugin).
public struct TensorBoardEvent: Sendable {
    public var wallTime: Double
    public var step: Int
    public var fileVersion: String?
    public var scalars: [String: Double]
    public var texts: [String: String]

    public init(wallTime: Double, step: Int, fileVersion: String? = nil, scalars: [String: Double] = [:], texts: [String: String] = [:]) {
        self.wallTime = wallTime
        self.step = step
        self.fileVersion = fileVersion
        self.scalars = scalars
        self.texts = texts
    }
}

// Field numbers from tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto.
extension TensorBoardEvent {
    /// DT_STRING in tensorflow/core/framework/types.proto.
    private static let stringDataType: UInt64 = 7

    var encoded: [UInt8] {
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.int64(2, Int64(step))
        if let fileVersion { event.string(3, fileVersion) }
        guard !scalars.isEmpty || !texts.isEmpty else { return event.bytes }
        event.message(5) { summary in
            // Sorted, so the same metrics always give the same bytes.
            for (tag, value) in scalars.sorted(by: { $0.key < $1.key }) {
                summary.message(1) { entry in
                    entry.string(1, tag)
                    entry.float(2, Float(value))
                }
            }
            for (tag, text) in texts.sorted(by: { $0.key < $1.key }) {
                summary.message(1) { entry in
                    entry.string(1, tag)
                    entry.message(9) { metadata in metadata.message(1) { plugin in plugin.string(1, "text") } }
                    entry.message(8) { tensor in
                        tensor.key(1, .varint)
                        tensor.varint(Self.stringDataType)
                        tensor.message(2) { _ in }  // an empty shape: a scalar string
                        tensor.string(8, text)
                    }
                }
            }
        }
        return event.bytes
    }

    init(decoding bytes: ArraySlice<UInt8>) throws {
        self.init(wallTime: 0, step: 0)
        var event = ProtobufReader(bytes)
        while let (field, value) = try event.next() {
            switch (field, value) {
            case (1, .fixed64(let bits)): wallTime = Double(bitPattern: bits)
            case (2, .varint(let bits)): step = Int(Int64(bitPattern: bits))
            case (3, .bytes(let text)): fileVersion = String(decoding: text, as: UTF8.self)
            case (5, .bytes(let summary)): try decodeSummary(summary)
            default: continue
            }
        }
    }

    private mutating func decodeSummary(_ bytes: ArraySlice<UInt8>) throws {
        var summary = ProtobufReader(bytes)
        while let (field, value) = try summary.next() {
            guard field == 1, case .bytes(let entryBytes) = value else { continue }
            var entry = ProtobufReader(entryBytes)
            var tag = ""
            var scalar: Double?
            var text: String?
            while let (entryField, entryValue) = try entry.next() {
                switch (entryField, entryValue) {
                case (1, .bytes(let name)): tag = String(decoding: name, as: UTF8.self)
                case (2, .fixed32(let bits)): scalar = Double(Float(bitPattern: bits))
                case (8, .bytes(let tensor)): text = try Self.firstString(inTensor: tensor)
                default: continue
                }
            }
            if let scalar { scalars[tag] = scalar }
            if let text { texts[tag] = text }
        }
    }

    private static func firstString(inTensor bytes: ArraySlice<UInt8>) throws -> String? {
        var tensor = ProtobufReader(bytes)
        while let (field, value) = try tensor.next() {
            if field == 8, case .bytes(let text) = value { return String(decoding: text, as: UTF8.self) }
        }
        return nil
    }
}
