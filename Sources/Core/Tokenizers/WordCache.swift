import Foundation

/// Remembers the BPE result of each pre-tokenised word. Natural text repeats a small set of words,
/// so after warm-up most words skip merging entirely (Hugging Face keeps the same kind of cache).
///
/// An open-addressing table over flat byte and id arenas rather than a `Dictionary<[UInt8], …>`:
/// a look-up then hashes the word where it lies, with no allocation, which matters because it runs
/// once per word. One tokenizer serves every rollout worker, so the cache is split into shards,
/// each behind its own lock, picked by the word's hash. Words of 256 bytes or more are not kept,
/// and once `capacity` words are stored nothing new is added, so memory stays bounded whatever
/// the input.
final class WordCache: Sendable {
    static let maximumWordLength = 256
    private static let shardBits = 3

    private let shards: [Shard]

    init(capacity: Int = 100_000) {
        shards = (0 ..< 1 << Self.shardBits).map { _ in Shard(capacity: capacity >> Self.shardBits) }
    }

    /// FNV-1a: words are a few bytes long, where it beats block hashes.
    @inline(__always)
    static func hash(_ word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in word {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        return hash
    }

    @inline(__always)
    private func shard(_ hash: UInt64) -> Shard {
        shards[Int(truncatingIfNeeded: hash >> UInt64(64 - Self.shardBits))]
    }

    /// Appends the cached ids of `word` to `output` and returns true, or returns false on a miss.
    func appendValue(for word: UnsafeBufferPointer<UInt8>, hash: UInt64, to output: inout [Int]) -> Bool {
        shard(hash).appendValue(for: word, hash: hash, to: &output)
    }

    func store(_ ids: [Int32], for word: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        guard word.count < Self.maximumWordLength else { return }
        shard(hash).store(ids, for: word, hash: hash)
    }
}

/// One lock and the table it guards.
private final class Shard: @unchecked Sendable {
    private let lock = NSLock()
    /// All mutable state in one value, so each call pays one exclusivity check, not one per field.
    private var table: Table

    init(capacity: Int) {
        table = Table(capacity: capacity)
    }

    func appendValue(for word: UnsafeBufferPointer<UInt8>, hash: UInt64, to output: inout [Int]) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return table.appendValue(for: word, hash: hash, to: &output)
    }

    func store(_ ids: [Int32], for word: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        table.store(ids, for: word, hash: hash)
    }
}

/// The table behind a `Shard`; callers hold its lock.
private struct Table {
    struct Slot {
        var hash: UInt64 = 0
        var keyStart: Int32 = -1  // -1: empty slot
        var keyLength: Int32 = 0
        var valueStart: Int32 = 0
        var valueCount: Int32 = 0
    }

    let capacity: Int
    var slots = [Slot](repeating: Slot(), count: 256)
    var count = 0
    var keyBytes: [UInt8] = []
    var values: [Int32] = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    func appendValue(for word: UnsafeBufferPointer<UInt8>, hash: UInt64, to output: inout [Int]) -> Bool {
        guard let slot = find(word, hash: hash).found else { return false }
        let entry = slots[slot]
        for index in Int(entry.valueStart) ..< Int(entry.valueStart + entry.valueCount) {
            output.append(Int(values[index]))
        }
        return true
    }

    mutating func store(_ ids: [Int32], for word: UnsafeBufferPointer<UInt8>, hash: UInt64) {
        guard count < capacity else { return }
        let (found, empty) = find(word, hash: hash)
        guard found == nil else { return }  // Another thread stored it meanwhile.
        slots[empty] = Slot(hash: hash, keyStart: Int32(keyBytes.count), keyLength: Int32(word.count),
                            valueStart: Int32(values.count), valueCount: Int32(ids.count))
        keyBytes.append(contentsOf: word)
        values.append(contentsOf: ids)
        count += 1
        if count * 2 > slots.count { grow() }
    }

    /// The slot holding `word`, or else the empty slot where it would go (linear probing).
    func find(_ word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (found: Int?, empty: Int) {
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.keyStart < 0 { return (nil, index) }
            if slot.hash == hash, Int(slot.keyLength) == word.count {
                let start = Int(slot.keyStart)
                let equal = keyBytes.withUnsafeBufferPointer { keys in
                    word.count == 0 || memcmp(keys.baseAddress! + start, word.baseAddress!, word.count) == 0
                }
                if equal { return (index, index) }
            }
            index = (index + 1) & mask
        }
    }

    mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.keyStart >= 0 {
            var index = Int(truncatingIfNeeded: slot.hash) & mask
            while slots[index].keyStart >= 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }
}
