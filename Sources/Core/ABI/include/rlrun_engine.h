/* The engine this image computes with: the host installs libtorch's table at load time; the
 * plugin SDK installs the table the host hands to a plugin. Swift's `Tensor` calls through it.
 * Each image (host or plugin library) has its own pointer. */
#ifndef RLRUN_ENGINE_H
#define RLRUN_ENGINE_H
#include "rlrun_tensor.h"
#ifdef __cplusplus
extern "C" {
#endif
/* NULL until installed. */
extern const rt_api *rlrun_engine_current;
void rlrun_engine_install(const rt_api *api);
static inline const rt_api *rlrun_engine(void) { return rlrun_engine_current; }
#ifdef __cplusplus
}
#endif
#endif
