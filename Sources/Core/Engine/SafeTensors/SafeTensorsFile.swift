import Foundation
import Glibc

/// Where one tensor lives in a safetensors file.
public struct SafeTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Byte range relative to the start of the data section (the bytes right after the header).
    public let byteRange: Range<Int>
}

/// A safetensors file that cannot be read or written, or a tensor it does not have.
public struct SafeTensorsError: Error, CustomStringConvertible {
    /// The file or in-memory buffer concerned; `nil` for writer errors raised before any file is involved.
    public let file: String?
    /// What is wrong.
    public let problem: String
    /// What the user can do about it.
    public let remedy: String

    public var description: String {
        let subject = file.map { "safetensors file '\($0)'" } ?? "safetensors writer"
        return "\(subject): \(problem). \(remedy)"
    }
}

/// A read-only view of a safetensors file: an 8-byte little-endian header length N, N bytes of JSON describing the
/// tensors, then the data section.
///
/// Opening maps the file with `mmap` and validates the whole header up front (by the rules of the Rust `safetensors`
/// crate, which the Python library uses), so a malformed file fails at `init` with a message rather than later with
/// a crash. Tensor bytes are never copied: the kernel pages them in when they are read, which keeps loading
/// multi-gigabyte checkpoints cheap. Replace such a file only by renaming over it (`AtomicFile`); truncating it in
/// place while it is mapped makes reads of the missing pages fault.
///
/// `@unchecked Sendable` because it holds raw pointers into the mapping; they are only read, never written.
public final class SafeTensorsFile: @unchecked Sendable {
    /// The file path, or the name given to an in-memory buffer; used in error messages.
    public let path: String
    /// The header's optional `__metadata__` (for example `"format": "pt"`).
    public let metadata: [String: String]
    /// All tensor names, sorted.
    public let tensorNames: [String]

    private let region: Region
    private let infos: [String: SafeTensorInfo]
    private let data: UnsafeRawBufferPointer

    /// Maps the file at `url` read-only and validates its header.
    public convenience init(url: URL) throws {
        try self.init(region: Region(mapping: url.path), path: url.path)
    }

    /// Reads a safetensors file held in memory (copied once); `name` stands in for the path in error messages.
    public convenience init(bytes: [UInt8], name: String) throws {
        try self.init(region: Region(copying: bytes), path: name)
    }

    private init(region: Region, path: String) throws {
        func damaged(_ problem: String) -> SafeTensorsError { .damaged(path, problem) }
        let bytes = region.bytes
        guard bytes.count >= 8 else {
            throw damaged("the file is \(bytes.count) bytes long, shorter than the 8-byte header length")
        }
        let headerLength = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength <= maxHeaderLength else {
            throw damaged("the header length \(headerLength) is too large (the limit is \(maxHeaderLength) bytes)")
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw damaged("the header length \(headerLength) reaches past the end of the file (\(bytes.count) bytes)")
        }
        let dataStart = 8 + Int(headerLength)
        let data = UnsafeRawBufferPointer(rebasing: bytes[dataStart...])
        let header = try Header.decode(UnsafeRawBufferPointer(rebasing: bytes[8 ..< dataStart]), path: path)
        let infos = try Self.validate(header.entries, dataCount: data.count, path: path)

        self.path = path
        self.metadata = header.metadata
        self.tensorNames = infos.keys.sorted()
        self.region = region
        self.infos = infos
        self.data = data
    }

    /// The dtype, shape and location of tensor `name`.
    public func info(_ name: String) throws -> SafeTensorInfo {
        guard let info = infos[name] else { throw missingTensor(name) }
        return info
    }

    /// Calls `body` with the raw bytes of tensor `name`, straight from the mapping. The buffer is valid only during
    /// the call; copy what must outlive it.
    public func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let range = try info(name).byteRange
        return try body(UnsafeRawBufferPointer(rebasing: data[range]))
    }

    /// Checks each entry and that the entries' byte ranges, sorted, tile the data section exactly: the Rust crate
    /// rejects overlaps, holes and trailing bytes, so files we accept are files every other reader accepts.
    private static func validate(
        _ entries: [String: Header.Entry], dataCount: Int, path: String
    ) throws -> [String: SafeTensorInfo] {
        func damaged(_ problem: String) -> SafeTensorsError { .damaged(path, problem) }
        var infos: [String: SafeTensorInfo] = [:]
        for (name, entry) in entries {
            guard let dtype = DType(safetensorsName: entry.dtype) else {
                let supported = DType.allCases.map(\.safetensorsName).joined(separator: ", ")
                throw SafeTensorsError(
                    file: path,
                    problem: "tensor '\(name)' has dtype \"\(entry.dtype)\", which is not supported "
                        + "(supported: \(supported))",
                    remedy: "Convert the checkpoint to a supported dtype, "
                        + "e.g. load it in PyTorch and save it in bfloat16.")
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw damaged("tensor '\(name)' has a negative dimension in its shape \(entry.shape)")
            }
            guard entry.dataOffsets.count == 2 else {
                throw damaged("tensor '\(name)' has data_offsets \(entry.dataOffsets); expected [begin, end]")
            }
            let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
            guard 0 <= begin, begin <= end else {
                throw damaged("tensor '\(name)' has data_offsets [\(begin), \(end)], "
                    + "not a valid range (0 <= begin <= end)")
            }
            guard end <= dataCount else {
                throw damaged("tensor '\(name)' ends at byte \(end), "
                    + "past the end of the data section (\(dataCount) bytes)")
            }
            guard let expected = dtype.byteCount(shape: entry.shape) else {
                throw damaged("tensor '\(name)' has shape \(entry.shape) whose byte size overflows")
            }
            guard expected == end - begin else {
                throw damaged("tensor '\(name)' of dtype \(dtype.safetensorsName) and shape \(entry.shape) expects "
                    + "\(expected) bytes but its data_offsets [\(begin), \(end)] span \(end - begin)")
            }
            infos[name] = SafeTensorInfo(name: name, dtype: dtype, shape: entry.shape, byteRange: begin ..< end)
        }

        let ordered = infos.values.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name)
                < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name)
        }
        var covered = 0
        var previous: SafeTensorInfo?
        for info in ordered {
            let range = info.byteRange
            if range.lowerBound < covered, let previous {
                throw damaged("tensor '\(info.name)' (bytes \(range)) overlaps tensor '\(previous.name)' "
                    + "(bytes \(previous.byteRange))")
            }
            if range.lowerBound > covered {
                throw damaged("there is a hole in the data section: "
                    + "bytes \(covered)..<\(range.lowerBound) belong to no tensor")
            }
            covered = range.upperBound
            previous = info
        }
        guard covered == dataCount else {
            throw damaged("the data section has \(dataCount - covered) trailing bytes (\(covered)..<\(dataCount)) "
                + "that belong to no tensor")
        }
        return infos
    }

    /// The error for an absent tensor, listing the names closest to the one asked for (longest common prefix),
    /// since a near miss usually means a naming-convention mismatch.
    private func missingTensor(_ name: String) -> SafeTensorsError {
        let closest: [(name: String, shared: Int)] = tensorNames
            .map { ($0, $0.commonPrefix(with: name).count) }
            .sorted { $0.shared != $1.shared ? $0.shared > $1.shared : $0.name < $1.name }
        let examples = closest.prefix(5).map { "'\($0.name)'" }.joined(separator: ", ")
        let listing = closest.isEmpty ? "the file has no tensors" : "the file has \(closest.count), e.g. \(examples)"
        return SafeTensorsError(
            file: path,
            problem: "there is no tensor named '\(name)' (\(listing))",
            remedy: "Check the name against the model's naming convention; if the checkpoint is sharded, "
                + "the tensor may be in another shard (see model.safetensors.index.json)."
        )
    }
}

/// Same limit as the Rust crate: no real header comes close, so a larger value means a corrupt or foreign file.
private let maxHeaderLength: UInt64 = 100_000_000

extension SafeTensorsError {
    /// An error for a file that breaks the format.
    fileprivate static func damaged(_ file: String, _ problem: String) -> SafeTensorsError {
        SafeTensorsError(
            file: file,
            problem: problem,
            remedy: "The file is damaged, truncated or not a safetensors file; re-download or re-export it.")
    }
}

extension DType {
    /// Bytes taken by a tensor of this dtype and `shape`, or `nil` if that overflows `Int` (a hostile header could
    /// otherwise make the size check wrap around and pass).
    func byteCount(shape: [Int]) -> Int? {
        var total = byteSize
        for dimension in shape {
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            total = product
        }
        return total
    }
}

/// The JSON header: tensor entries plus the optional string-to-string `__metadata__`.
private struct Header: Decodable {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            dtype = try container.decode(String.self, forKey: .dtype)
            shape = try Self.integers(container, .shape)
            dataOffsets = try Self.integers(container, .dataOffsets)
        }

        /// Foundation's decoder throws an internal error for a number that is no `Int` (`1.5`, `1e30`) and turns it
        /// into "not valid JSON" at the top, losing the path; this reports it as a type mismatch of this field.
        private static func integers(
            _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
        ) throws -> [Int] {
            do {
                return try container.decode([Int].self, forKey: key)
            } catch let error where !(error is DecodingError) {
                throw DecodingError.typeMismatch(Int.self, .init(
                    codingPath: container.codingPath + [key], debugDescription: "\(error)", underlyingError: error))
            }
        }
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private(set) var metadata: [String: String] = [:]
    private(set) var entries: [String: Entry] = [:]

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries[key.stringValue] = try container.decode(Entry.self, forKey: key)
            }
        }
    }

    /// Decodes the header bytes, turning JSON errors into messages that name the offending tensor and field.
    static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws -> Header {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw SafeTensorsError.damaged(path, "the header is not valid UTF-8")
        }
        do {
            return try JSONDecoder().decode(Header.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw SafeTensorsError.damaged(path, describe(error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let tensor = context.codingPath.first?.stringValue ?? ""
            return "tensor '\(tensor)' is missing \"\(key.stringValue)\""
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return "the header is not valid JSON"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue)
            guard let first = path.first else { return "the header is not a JSON object" }
            if first == "__metadata__" { return "\"__metadata__\" must be an object whose values are all strings" }
            guard path.count > 1 else { return "the entry for tensor '\(first)' is not a JSON object" }
            return "tensor '\(first)' has \"\(path[1])\" of the wrong JSON type "
                + "(expected \"dtype\": string, \"shape\": [integers], \"data_offsets\": [begin, end])"
        @unknown default:
            return "the header could not be decoded (\(error))"
        }
    }
}

/// Owns the file's bytes: a read-only private mapping, or a heap copy for in-memory buffers. Kept separate so the
/// bytes are released however `SafeTensorsFile.init` exits, including when validation throws.
private final class Region {
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    init(copying source: [UInt8]) {
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 16)
        source.withUnsafeBytes { copy.copyMemory(from: $0) }
        bytes = UnsafeRawBufferPointer(copy)
        isMapped = false
    }

    init(mapping path: String) throws {
        let fail = { (step: String) in
            SafeTensorsError(file: path, problem: "cannot \(step): \(errnoText())",
                             remedy: "Check that the path exists, is a regular file and is readable.")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail("open the file") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw fail("stat the file") }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw SafeTensorsError(
                file: path, problem: "not a regular file", remedy: "Pass the path of a .safetensors file.")
        }
        let size = Int(status.st_size)
        // mmap rejects length 0; an empty file is simply too short, which the header check reports.
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 16))
            isMapped = false
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw fail("mmap the file")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        isMapped = true
    }

    deinit {
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
        } else {
            bytes.deallocate()
        }
    }
}
