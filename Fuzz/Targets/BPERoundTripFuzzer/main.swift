import FuzzMain
import TokenizerFuzzEntries

// A text that does not survive encode then decode is a finding.
fuzz { bytes in
    if let mismatch = BPERoundTripFuzzEntry.check(bytes) { fatalError("round trip broken: \(mismatch)") }
}
