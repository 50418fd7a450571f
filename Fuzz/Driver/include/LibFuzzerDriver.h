#ifndef RLRUN_LIBFUZZER_DRIVER_H
#define RLRUN_LIBFUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in the runtime that -sanitize=fuzzer links): parses libFuzzer's flags
/// from argv and fuzzes `callback` with them. Called from the fuzzers' own main, because
/// SwiftPM links each executable with its main and libFuzzer's is then never used.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
