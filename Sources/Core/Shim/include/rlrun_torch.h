/* The libtorch-backed tensor engine: the table every rlrun image computes through. Linking
 * this target installs the table as the process's engine (see rlrun_engine.h) at load time. */
#ifndef RLRUN_TORCH_H
#define RLRUN_TORCH_H
#include "rlrun_tensor.h"
#include <stdbool.h>
#ifdef __cplusplus
extern "C" {
#endif
const rt_api *rt_torch_api(void);

/* Whether linear(x, w, bias) runs the decoding kernel (decode_linear.cpp) rather than
 * at::linear, and a switch to turn that kernel off: for tests and A/B benchmarks, on the calling
 * thread only (as is rt_set_decode_linear_max_rows). */
bool rt_decode_linear_applies(rt_tensor x, rt_tensor w, rt_tensor bias /* nullable */);
void rt_set_decode_linear_enabled(bool enabled);
/* Whether scaled_dot_product_attention(q, k, v, mask) runs the decoding kernel
 * (decode_attention.cpp) rather than libtorch's, and a switch to turn it off on the calling
 * thread only. */
bool rt_decode_attention_applies(rt_tensor q, rt_tensor k, rt_tensor v, rt_tensor mask /* nullable */);
void rt_set_decode_attention_enabled(bool enabled);
/* Whether float32 RMSNorm in passes that record gradients runs as one autograd node
 * (rms_norm_training.cpp) rather than libtorch's composite: on unless RLRUN_FUSED_NORM=0; this
 * switch sets it on the calling thread only. */
void rt_set_trained_rms_norm_enabled(bool enabled);
/* glibc: keep freed blocks of every size in the process for reuse instead of unmapping the
   large ones (see FreedMemory.swift); a no-op elsewhere. */
void rt_keep_freed_memory(void);
/* Rows up to which the kernel runs: 32 on an AVX-512 CPU (whose sgemm wins beyond), else 128;
   a value from 1 to 128 overrides it, 0 restores the CPU's own. */
void rt_set_decode_linear_max_rows(int64_t rows);
int64_t rt_decode_linear_max_rows(void);
/* Whether float32 linear layers multiply through oneDNN rather than MKL (onednn_linear.cpp): by
   default on AVX-512 CPUs other than Intel's, RLRUN_CPU_MATMUL=onednn or mkl decides for the
   process, and 1 or 0 here for the calling thread only (-1: back to the process's choice). */
void rt_set_onednn_linear(int choice);
bool rt_onednn_linear_enabled(void);
#ifdef __cplusplus
}
#endif
#endif
