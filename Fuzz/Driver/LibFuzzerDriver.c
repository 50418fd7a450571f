// The declaration in include/LibFuzzerDriver.h is all there is; SwiftPM needs one source file.
#include "LibFuzzerDriver.h"
