import FuzzMain
import GSM8KAnswerFuzzEntry

// Answers the plugin refuses are expected; a crash, trap or sanitizer report is a finding.
fuzz(GSM8KAnswerFuzzEntry.run)
