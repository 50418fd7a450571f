import FuzzMain
import TokenizerFuzzEntries

// Refused files are expected; a crash, trap or sanitizer report is a finding.
fuzz(TokenizerJSONFuzzEntry.run)
