#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (linked by `-sanitize=fuzzer`): parses the libFuzzer flags in argv and
/// calls `callback` with every input it generates. Swift executables define their own `main`,
/// so the fuzz targets call this from it (libFuzzer's own `main` is never linked in).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
