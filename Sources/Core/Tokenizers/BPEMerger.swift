/// Applies BPE merges to one word the way Hugging Face's `Word::merge_all` does: repeatedly merge
/// the adjacent pair with the lowest merge rank, the leftmost one when the same pair occurs twice.
///
/// Short words (nearly all of them) use a plain scan over the pairs; long ones use a priority queue
/// with lazy deletion, like Hugging Face, so a pathological 100k-letter word is not quadratic.
/// Both produce the same result; the tests check this.
struct BPEMerger: Sendable {
    struct Merge: Sendable {
        var rank: Int32
        var result: Int32
    }

    /// Merges keyed by `left << 32 | right` token ids.
    let merges: [UInt64: Merge]

    /// Words longer than this go to the queue-based merge.
    static let scanLimit = 48

    @inline(__always)
    func merge(_ left: Int32, _ right: Int32) -> Merge? {
        merges[UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))]
    }

    func apply(to symbols: inout [Int32]) {
        if symbols.count <= Self.scanLimit {
            applyByScanning(&symbols)
        } else {
            applyWithQueue(&symbols)
        }
    }

    func applyByScanning(_ symbols: inout [Int32]) {
        guard symbols.count > 1 else { return }
        // ranks[i]: rank of the pair (symbols[i], symbols[i + 1]), Int32.max when there is none.
        var ranks = [Int32](repeating: .max, count: symbols.count - 1)
        var results = [Int32](repeating: -1, count: symbols.count - 1)
        for i in 0 ..< symbols.count - 1 {
            if let m = merge(symbols[i], symbols[i + 1]) { ranks[i] = m.rank; results[i] = m.result }
        }
        while !ranks.isEmpty {
            var best = 0
            for i in 1 ..< ranks.count where ranks[i] < ranks[best] { best = i }
            guard ranks[best] != .max else { break }
            symbols[best] = results[best]
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            results.remove(at: best)
            if best > 0 {
                let m = merge(symbols[best - 1], symbols[best])
                ranks[best - 1] = m?.rank ?? .max
                results[best - 1] = m?.result ?? -1
            }
            if best < ranks.count {
                let m = merge(symbols[best], symbols[best + 1])
                ranks[best] = m?.rank ?? .max
                results[best] = m?.result ?? -1
            }
        }
    }

    func applyWithQueue(_ symbols: inout [Int32]) {
        let n = symbols.count
        guard n > 1 else { return }
        var previous = (0 ..< n).map { Int32($0) - 1 }
        var next = (0 ..< n).map { $0 + 1 < n ? Int32($0 + 1) : -1 }
        var alive = [Bool](repeating: true, count: n)
        var queue = MergeQueue()
        for i in 0 ..< n - 1 {
            if let m = merge(symbols[i], symbols[i + 1]) {
                queue.push(.init(rank: m.rank, position: Int32(i), result: m.result))
            }
        }
        while let top = queue.pop() {
            let position = Int(top.position)
            guard alive[position], next[position] >= 0 else { continue }
            let right = Int(next[position])
            // An entry is stale when the pair at its position changed since it was queued.
            guard let current = merge(symbols[position], symbols[right]), current.result == top.result else { continue }
            symbols[position] = top.result
            alive[right] = false
            next[position] = next[right]
            if next[right] >= 0 { previous[Int(next[right])] = Int32(position) }
            if previous[position] >= 0 {
                let left = Int(previous[position])
                if let m = merge(symbols[left], symbols[position]) {
                    queue.push(.init(rank: m.rank, position: Int32(left), result: m.result))
                }
            }
            if next[position] >= 0, let m = merge(symbols[position], symbols[Int(next[position])]) {
                queue.push(.init(rank: m.rank, position: Int32(position), result: m.result))
            }
        }
        symbols = (0 ..< n).filter { alive[$0] }.map { symbols[$0] }
    }
}

/// A binary min-heap of pending merges ordered by rank, then position.
private struct MergeQueue {
    struct Entry {
        var rank: Int32
        var position: Int32
        var result: Int32

        func precedes(_ other: Entry) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    private var heap: [Entry] = []

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            guard smallest != parent else { break }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
