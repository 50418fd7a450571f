#include "rlrun_engine.h"

/* Hidden, so that a plugin library never shares (or overrides) the host's pointer. */
__attribute__((visibility("hidden"))) const rt_api *rlrun_engine_current = 0;

__attribute__((visibility("hidden"))) void rlrun_engine_install(const rt_api *api) { rlrun_engine_current = api; }
