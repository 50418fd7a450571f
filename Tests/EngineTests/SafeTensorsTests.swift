import Foundation
import Testing
@testable import Engine

// MARK: - Helpers

/// A fresh directory under the system temporary directory, removed after `body`.
private func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("safetensors-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try body(directory)
}

private func littleEndianBytes(_ value: UInt64) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

/// A safetensors buffer with the given header text and data section.
private func buffer(header: String, data: [UInt8] = []) -> [UInt8] {
    let header = Array(header.utf8)
    return littleEndianBytes(UInt64(header.count)) + header + data
}

/// The header text of a safetensors buffer, padding included.
private func headerText(_ bytes: [UInt8]) -> String {
    let length = bytes.withUnsafeBytes { Int($0.loadUnaligned(as: UInt64.self).littleEndian) }
    return String(decoding: bytes[8 ..< 8 + length], as: UTF8.self)
}

/// Elements of a little-endian buffer, widened to Double for comparison with JSON reference values.
private func decode(_ bytes: UnsafeRawBufferPointer, as dtype: DType) -> [Double] {
    func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
        stride(from: 0, to: bytes.count, by: MemoryLayout<T>.size).map {
            T(littleEndian: bytes.loadUnaligned(fromByteOffset: $0, as: T.self))
        }
    }
    switch dtype {
    case .float32: return load(UInt32.self).map { Double(Float(bitPattern: $0)) }
    case .bfloat16: return load(UInt16.self).map { Double(Float(bitPattern: UInt32($0) << 16)) }
    case .float16: return load(UInt16.self).map { Double(Float16(bitPattern: $0)) }
    case .float64: return load(UInt64.self).map { Double(bitPattern: $0) }
    case .int64: return load(Int64.self).map { Double($0) }
    case .int32: return load(Int32.self).map { Double($0) }
    case .uint8, .bool: return load(UInt8.self).map { Double($0) }
    }
}

/// `shared/parity/tiny-qwen2`, a sibling of the package root (found by walking up from this file to
/// `Package.swift`), holding files written by the Python `safetensors` library; `nil` where it is not checked out.
private let fixtureFolder: URL? = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/" {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
            let folder = directory.appendingPathComponent("../shared/parity/tiny-qwen2").standardizedFileURL
            let marker = folder.appendingPathComponent("mixed_dtypes.safetensors").path
            return FileManager.default.fileExists(atPath: marker) ? folder : nil
        }
        directory = directory.deletingLastPathComponent()
    }
    return nil
}()

// MARK: - Round trip and layout

@Suite struct SafeTensorsRoundTripTests {
    @Test func everyDTypeScalarEmptyAndMetadataRoundTrip() throws {
        let metadata = ["format": "pt", "note": "quote \" backslash \\ newline \n tab \t bell \u{07} slash / é 😀"]
        var writer = SafeTensorsWriter(metadata: metadata)
        var expected: [String: (dtype: DType, shape: [Int], bytes: [UInt8])] = [:]
        for (index, dtype) in DType.allCases.enumerated() {
            let shape = [2, 3]
            let bytes = (0 ..< dtype.byteSize * 6).map { UInt8(truncatingIfNeeded: $0 * 7 + index) }
            expected["t.\(dtype.safetensorsName)"] = (dtype, shape, bytes)
        }
        expected["scalar"] = (.float32, [], withUnsafeBytes(of: Float(3.5).bitPattern.littleEndian) { Array($0) })
        expected["empty"] = (.bfloat16, [0], [])
        for (name, tensor) in expected {
            try writer.add(name: name, dtype: tensor.dtype, shape: tensor.shape, bytes: tensor.bytes)
        }

        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("model.safetensors")
            try writer.write(to: url)
            #expect(try Array(Data(contentsOf: url)) == writer.serialized())

            let file = try SafeTensorsFile(url: url)
            #expect(file.metadata == metadata)
            #expect(file.tensorNames == expected.keys.sorted())
            for (name, tensor) in expected {
                let info = try file.info(name)
                #expect(info.name == name)
                #expect(info.dtype == tensor.dtype)
                #expect(info.shape == tensor.shape)
                #expect(try file.withBytes(of: name) { Array($0) } == tensor.bytes)
            }
        }
    }

    @Test func emptyWriterProducesPaddedEmptyHeader() throws {
        let bytes = SafeTensorsWriter().serialized()
        #expect(bytes == littleEndianBytes(8) + Array("{}      ".utf8))
        let file = try SafeTensorsFile(bytes: bytes, name: "empty.safetensors")
        #expect(file.tensorNames.isEmpty)
        #expect(file.metadata.isEmpty)
    }

    /// Sizes chosen so that a name-only order would misalign the wider dtypes.
    @Test func dataSectionAndEveryTensorAreAligned() throws {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for dtype in DType.allCases {
            try writer.add(name: "a.\(dtype.safetensorsName)", dtype: dtype, shape: [3],
                           bytes: [UInt8](repeating: 1, count: 3 * dtype.byteSize))
        }
        let bytes = writer.serialized()
        let headerLength = bytes.withUnsafeBytes { Int($0.loadUnaligned(as: UInt64.self).littleEndian) }
        #expect(headerLength % 8 == 0)
        #expect(headerText(bytes).hasSuffix(" "))

        let file = try SafeTensorsFile(bytes: bytes, name: "aligned.safetensors")
        for name in file.tensorNames {
            let info = try file.info(name)
            #expect(info.byteRange.lowerBound % info.dtype.byteSize == 0, "\(name) at \(info.byteRange)")
        }
    }

    /// The header the Python library writes for these tensors, derived by its rules: metadata first, then tensors by
    /// descending dtype size and then by name, compact JSON, spaces up to a multiple of 8.
    @Test func headerMatchesPythonLayoutRules() throws {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.add(name: "b", dtype: .float32, shape: [2], bytes: [UInt8](repeating: 0, count: 8))
        try writer.add(name: "a", dtype: .uint8, shape: [3], bytes: [1, 2, 3])
        try writer.add(name: "c", dtype: .int64, shape: [], bytes: [UInt8](repeating: 0, count: 8))
        try writer.add(name: "a2", dtype: .float32, shape: [1, 1], bytes: [0, 0, 0, 0])
        let expected = #"{"__metadata__":{"format":"pt"},"c":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"#
            + #""a2":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]},"#
            + #""b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},"#
            + #""a":{"dtype":"U8","shape":[3],"data_offsets":[20,23]}}"#
        let header = headerText(writer.serialized())
        #expect(header.trimmingCharacters(in: .whitespaces) == expected)
        #expect(header.count == (expected.count + 7) / 8 * 8)
    }

    @Test func metadataIsOmittedWhenEmptyAndEscapedLikeSerdeJSON() throws {
        var writer = SafeTensorsWriter()
        try writer.add(name: "x", dtype: .uint8, shape: [1], bytes: [0])
        #expect(headerText(writer.serialized()).hasPrefix(#"{"x":"#))

        writer.metadata = ["k": "\"\\/\u{08}\u{0C}\n\r\t\u{01}\u{1F}\u{7F}é"]
        #expect(headerText(writer.serialized()).hasPrefix(#"{"__metadata__":{"k":"\"\\/\b\f\n\r\t\u0001\u001f"#
            + "\u{7F}é\"}"))
    }

    @Test func atomicRewriteKeepsAnOpenMappingValid() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("w.safetensors")
            var first = SafeTensorsWriter()
            try first.add(name: "w", dtype: .uint8, shape: [4], bytes: [1, 2, 3, 4])
            try first.write(to: url)
            let opened = try SafeTensorsFile(url: url)

            var second = SafeTensorsWriter()
            try second.add(name: "w", dtype: .uint8, shape: [2], bytes: [9, 9])
            try second.write(to: url)

            #expect(try opened.withBytes(of: "w") { Array($0) } == [1, 2, 3, 4])
            #expect(try SafeTensorsFile(url: url).withBytes(of: "w") { Array($0) } == [9, 9])
        }
    }
}

// MARK: - Files written by the Python library

@Suite(.enabled(if: fixtureFolder != nil, "shared/parity/tiny-qwen2 is not next to the package root"))
struct SafeTensorsPythonFixtureTests {
    private struct Reference: Decodable {
        let dtype: String
        let shape: [Int]
        let values: [Double]
    }

    private static let torchDTypes: [String: DType] = [
        "torch.float32": .float32, "torch.bfloat16": .bfloat16, "torch.float16": .float16,
        "torch.float64": .float64, "torch.int64": .int64, "torch.int32": .int32,
        "torch.bool": .bool, "torch.uint8": .uint8,
    ]

    private func fixture(_ name: String) throws -> URL {
        try #require(fixtureFolder).appendingPathComponent(name)
    }

    @Test func mixedDTypesMatchReferenceValues() throws {
        let file = try SafeTensorsFile(url: fixture("mixed_dtypes.safetensors"))
        let references = try JSONDecoder().decode(
            [String: Reference].self, from: Data(contentsOf: fixture("mixed_dtypes.json")))

        #expect(file.tensorNames == references.keys.sorted())
        #expect(file.metadata["format"] == "pt")
        for (name, reference) in references {
            let info = try file.info(name)
            #expect(info.dtype == Self.torchDTypes[reference.dtype], "\(name)")
            #expect(info.shape == reference.shape, "\(name)")
            #expect(try file.withBytes(of: name) { decode($0, as: info.dtype) } == reference.values, "\(name)")
        }
    }

    /// Rewriting the Python file's tensors must reproduce it byte for byte, except for the order of the metadata
    /// keys, which Python writes in hash order and we sort.
    @Test func writerReproducesPythonFileByteForByte() throws {
        let url = try fixture("mixed_dtypes.safetensors")
        let file = try SafeTensorsFile(url: url)
        var writer = SafeTensorsWriter(metadata: file.metadata)
        for name in file.tensorNames {
            let info = try file.info(name)
            try file.withBytes(of: name) { try writer.add(name: name, dtype: info.dtype, shape: info.shape, bytes: $0) }
        }

        var python = try Array(Data(contentsOf: url))
        let pythonMetadata = Array(#"{"note":"reader test","format":"pt"}"#.utf8)
        let sortedMetadata = Array(#"{"format":"pt","note":"reader test"}"#.utf8)
        if let range = python.firstRange(of: pythonMetadata) {
            python.replaceSubrange(range, with: sortedMetadata)
        }
        #expect(writer.serialized() == python)
    }

    @Test func modelFileOpensAndMatchesConfig() throws {
        struct Config: Decodable {
            let vocabSize: Int
            let hiddenSize: Int
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let config = try decoder.decode(Config.self, from: Data(contentsOf: fixture("config.json")))
        let file = try SafeTensorsFile(url: fixture("model.safetensors"))

        #expect(file.tensorNames.count > 10)
        #expect(file.tensorNames.contains("model.layers.1.self_attn.q_proj.weight"))
        let embedding = try file.info("model.embed_tokens.weight")
        #expect(embedding.shape == [config.vocabSize, config.hiddenSize])
        let values = try file.withBytes(of: embedding.name) { decode($0, as: embedding.dtype) }
        #expect(values.count == config.vocabSize * config.hiddenSize)
        #expect(values.allSatisfy { $0.isFinite })
    }
}

// MARK: - Malformed input

/// A malformed buffer and a fragment its error message must contain.
struct MalformedCase: Sendable, CustomTestStringConvertible {
    let label: String
    let bytes: [UInt8]
    let fragment: String

    init(_ label: String, _ bytes: [UInt8], _ fragment: String) {
        self.label = label
        self.bytes = bytes
        self.fragment = fragment
    }

    init(_ label: String, header: String, data: [UInt8] = [], _ fragment: String) {
        self.init(label, buffer(header: header, data: data), fragment)
    }

    var testDescription: String { label }
}

private let four = [UInt8](repeating: 0, count: 4)
private let eight = [UInt8](repeating: 0, count: 8)
private let twelve = [UInt8](repeating: 0, count: 12)

private let malformedCases: [MalformedCase] = [
    MalformedCase("file shorter than 8 bytes", [1, 2, 3], "shorter than the 8-byte header length"),
    MalformedCase("header past end of file", littleEndianBytes(100) + Array("{}".utf8), "past the end of the file"),
    MalformedCase("absurd header length", littleEndianBytes(200_000_000) + eight, "too large"),
    MalformedCase("header not UTF-8", littleEndianBytes(2) + [0xFF, 0xFE], "not valid UTF-8"),
    MalformedCase("header not JSON", header: #"{"t":"#, "not valid JSON"),
    MalformedCase("header not an object", header: "[1, 2]", "not a JSON object"),
    MalformedCase("entry not an object", header: #"{"t":7}"#, "entry for tensor 't' is not a JSON object"),
    MalformedCase("missing dtype", header: #"{"t":{"shape":[1],"data_offsets":[0,4]}}"#, data: four,
                  #"tensor 't' is missing "dtype""#),
    MalformedCase("missing shape", header: #"{"t":{"dtype":"F32","data_offsets":[0,4]}}"#, data: four,
                  #"is missing "shape""#),
    MalformedCase("missing data_offsets", header: #"{"t":{"dtype":"F32","shape":[1]}}"#, data: four,
                  #"is missing "data_offsets""#),
    MalformedCase("dtype not a string", header: #"{"t":{"dtype":5,"shape":[1],"data_offsets":[0,4]}}"#, data: four,
                  #""dtype" of the wrong JSON type"#),
    MalformedCase("shape not an array", header: #"{"t":{"dtype":"F32","shape":"1","data_offsets":[0,4]}}"#,
                  data: four, #""shape" of the wrong JSON type"#),
    MalformedCase("shape with a fraction", header: #"{"t":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,
                  data: four, #""shape" of the wrong JSON type"#),
    MalformedCase("offset too large for Int",
                  header: #"{"t":{"dtype":"U8","shape":[4],"data_offsets":[0,1e30]}}"#,
                  data: four, #""data_offsets" of the wrong JSON type"#),
    MalformedCase("data_offsets of one number", header: #"{"t":{"dtype":"F32","shape":[1],"data_offsets":[0]}}"#,
                  data: four, "expected [begin, end]"),
    MalformedCase("negative dimension", header: #"{"t":{"dtype":"U8","shape":[-4],"data_offsets":[0,4]}}"#,
                  data: four, "negative dimension"),
    MalformedCase("begin after end", header: #"{"t":{"dtype":"U8","shape":[4],"data_offsets":[4,0]}}"#,
                  data: four, "not a valid range"),
    MalformedCase("end past data section", header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#,
                  data: four, "past the end of the data section (4 bytes)"),
    MalformedCase("size mismatch", header: #"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#,
                  data: four, "expects 8 bytes"),
    MalformedCase("size overflow",
                  header: #"{"t":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#,
                  data: four, "overflows"),
    MalformedCase("overlapping tensors",
                  header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"#
                      + #""b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                  data: twelve, "tensor 'b' (bytes 4..<12) overlaps tensor 'a'"),
    MalformedCase("hole between tensors",
                  header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"#
                      + #""b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                  data: twelve, "hole in the data section: bytes 4..<8"),
    MalformedCase("trailing bytes", header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
                  data: eight, "4 trailing bytes"),
    MalformedCase("metadata value not a string", header: #"{"__metadata__":{"n":1}}"#,
                  #""__metadata__" must be an object whose values are all strings"#),
    MalformedCase("metadata not an object", header: #"{"__metadata__":[1]}"#, #""__metadata__" must be an object"#),
]

@Suite struct SafeTensorsMalformedTests {
    @Test(arguments: malformedCases)
    func rejected(_ malformed: MalformedCase) throws {
        let error = try #require(throws: SafeTensorsError.self) {
            try SafeTensorsFile(bytes: malformed.bytes, name: "case.safetensors")
        }
        #expect(error.description.contains(malformed.fragment), "\(error)")
        #expect(error.description.contains("'case.safetensors'"))
        #expect(error.description.contains("re-download or re-export"))
    }

    /// F8_E4M3 is valid safetensors, so the advice is to convert, not to re-download.
    @Test func unsupportedDTypeAdvisesConversion() throws {
        let bytes = buffer(header: #"{"t":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}}"#, data: four)
        let error = try #require(throws: SafeTensorsError.self) {
            try SafeTensorsFile(bytes: bytes, name: "fp8.safetensors")
        }
        #expect(error.description.contains(#"tensor 't' has dtype "F8_E4M3", which is not supported"#))
        #expect(error.description.contains("Convert the checkpoint"))
    }

    @Test func missingTensorListsSimilarNames() throws {
        var writer = SafeTensorsWriter()
        for name in ["lm_head.weight", "model.layers.0.q.weight", "model.layers.0.k.weight"] {
            try writer.add(name: name, dtype: .uint8, shape: [1], bytes: [0])
        }
        let file = try SafeTensorsFile(bytes: writer.serialized(), name: "shard.safetensors")
        let error = try #require(throws: SafeTensorsError.self) { try file.info("model.layers.0.v.weight") }
        #expect(error.description.contains("no tensor named 'model.layers.0.v.weight'"))
        #expect(error.description.contains("the file has 3, e.g. 'model.layers.0.k.weight', 'model.layers.0.q.weight'"))
        #expect(throws: SafeTensorsError.self) { try file.withBytes(of: "nope") { $0.count } }
    }

    @Test func unopenablePathsAreErrors() throws {
        try withTemporaryDirectory { directory in
            let missing = try #require(throws: SafeTensorsError.self) {
                try SafeTensorsFile(url: directory.appendingPathComponent("absent.safetensors"))
            }
            #expect(missing.description.contains("cannot open the file: No such file or directory"))

            let folder = try #require(throws: SafeTensorsError.self) { try SafeTensorsFile(url: directory) }
            #expect(folder.description.contains("not a regular file"))

            let empty = directory.appendingPathComponent("empty.safetensors")
            try Data().write(to: empty)
            let short = try #require(throws: SafeTensorsError.self) { try SafeTensorsFile(url: empty) }
            #expect(short.description.contains("is 0 bytes long"))
        }
    }
}

// MARK: - Writer input checks and atomic writes

@Suite struct SafeTensorsWriterTests {
    @Test func rejectsBadEntries() throws {
        var writer = SafeTensorsWriter()
        try writer.add(name: "x", dtype: .float32, shape: [2], bytes: eight)

        let cases: [(name: String, shape: [Int], bytes: [UInt8], fragment: String)] = [
            ("x", [2], eight, "tensor 'x' is added twice"),
            ("y", [3], eight, "has 8 bytes but dtype F32 and shape [3] need 12"),
            ("z", [-2], eight, "negative dimension"),
            ("w", [Int.max, 2], eight, "overflows"),
            ("__metadata__", [2], eight, "reserved"),
        ]
        for bad in cases {
            let error = try #require(throws: SafeTensorsError.self) {
                try writer.add(name: bad.name, dtype: .float32, shape: bad.shape, bytes: bad.bytes)
            }
            #expect(error.description.hasPrefix("safetensors writer: "))
            #expect(error.description.contains(bad.fragment), "\(error)")
        }
        #expect(try SafeTensorsFile(bytes: writer.serialized(), name: "w").tensorNames == ["x"])
    }

    @Test func atomicWriteReplacesAndLeavesNoTemporaryFiles() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("report.json")
            try AtomicFile.write(Array("old".utf8), to: url)
            try AtomicFile.write(Data("new".utf8), to: url)
            #expect(try String(contentsOf: url, encoding: .utf8) == "new")

            struct Interrupted: Error {}
            #expect(throws: Interrupted.self) {
                try AtomicFile.write(to: url) { sink in
                    try sink.write(Array("partial".utf8))
                    throw Interrupted()
                }
            }
            #expect(try String(contentsOf: url, encoding: .utf8) == "new")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["report.json"])
        }
    }

    @Test func atomicWriteIntoMissingDirectoryIsAnError() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("absent/file.bin")
            let error = try #require(throws: AtomicFileError.self) { try AtomicFile.write([UInt8](), to: url) }
            #expect(error.description.contains("could not create the temporary file"))
            #expect(error.description.contains("No such file or directory"))
        }
    }
}

@Suite struct SafeTensorsTensorTests {
    @Test func tensorsRoundTripThroughAFile() throws {
        try withTemporaryDirectory { directory in
            let url = directory.appendingPathComponent("weights.safetensors")
            let weights = try Tensor([Float(1), -2, 3.5, 0.25, 8, -0.125], shape: [2, 3])
            let half = try weights.to(.bfloat16)
            let ids = try Tensor([Int64(7), -1, 1 << 40], shape: [3])
            try SafeTensorsWriter.write(["w": weights, "w_bf16": half, "ids": ids], metadata: ["format": "pt"], to: url)

            let file = try SafeTensorsFile(url: url)
            #expect(file.metadata == ["format": "pt"])
            #expect(try file.tensor("w").toArray(Float.self) == [1, -2, 3.5, 0.25, 8, -0.125])
            #expect(try file.tensor("w").shape == [2, 3])
            let loadedHalf = try file.tensor("w_bf16")
            #expect(loadedHalf.dtype == .bfloat16)
            #expect(try file.tensor("w_bf16", dtype: .float32).toArray(Float.self) == [1, -2, 3.5, 0.25, 8, -0.125])
            #expect(try file.tensor("ids").toArray(Int64.self) == [7, -1, 1 << 40])
        }
    }

    @Test(.enabled(if: fixtureFolder != nil, "needs ../shared/parity/tiny-qwen2"))
    func pythonWrittenTensorsLoadAsTensors() throws {
        let file = try SafeTensorsFile(url: #require(fixtureFolder).appendingPathComponent("mixed_dtypes.safetensors"))
        #expect(try file.tensor("bf16").toArray(Double.self) == [0.0, 0.333984375, 0.66796875, 1.0, 1.3359375, 1.6640625])
        #expect(try file.tensor("i64").toArray(Int64.self) == [-1, 1_099_511_627_776, 3, 4])
        #expect(try file.tensor("scalar").item() == 3.5)
        #expect(try file.tensor("empty").shape == [0, 5])
        #expect(try file.tensor("u8").toArray(UInt8.self) == [0, 255, 7])
    }
}
