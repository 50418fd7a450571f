import FuzzMain
import RunConfigurationFuzzEntry

// Refused settings are expected; a crash, trap or sanitizer report is a finding.
fuzz(RunConfigurationFuzzEntry.run)
