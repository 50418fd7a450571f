import FuzzMain
import SafeTensorsFuzzEntry

// Refused files are expected; a crash, trap or sanitizer report is a finding.
fuzz(SafeTensorsFuzzEntry.run)
