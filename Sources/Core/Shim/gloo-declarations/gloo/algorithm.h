// Declarations only, for c10d/ProcessGroupGloo.hpp: see distributed.cpp in the shim.
#pragma once
#include "gloo/context.h"
