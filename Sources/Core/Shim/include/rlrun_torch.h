/* The libtorch-backed tensor engine: the table every rlrun image computes through. Linking
 * this target installs the table as the process's engine (see rlrun_engine.h) at load time. */
#ifndef RLRUN_TORCH_H
#define RLRUN_TORCH_H
#include "rlrun_tensor.h"
#ifdef __cplusplus
extern "C" {
#endif
const rt_api *rt_torch_api(void);
#ifdef __cplusplus
}
#endif
#endif
