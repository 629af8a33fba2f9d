// Declarations only: LLVMFuzzerRunDriver lives in libFuzzer.
#include "CFuzzDriver.h"
