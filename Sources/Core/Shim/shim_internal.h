// Internal helpers of the shim: handle conversion and the one error path.
#pragma once
#if !__has_include(<ATen/ATen.h>)
#error "libtorch headers not found in .deps/torch/include: run scripts/bootstrap-libtorch.sh first (LIBTORCH=/path/to/site-packages/torch to use an existing PyTorch 2.11)"
#endif
#include "shim_functions.h"
#include <ATen/ATen.h>
#include <string>

namespace rlrun {

void set_last_error(const char *message);

inline at::Tensor &T(rt_tensor t) { return *reinterpret_cast<at::Tensor *>(t); }
inline rt_tensor wrap(at::Tensor t) {
  return reinterpret_cast<rt_tensor>(new at::Tensor(std::move(t)));
}
inline std::optional<at::Tensor> optional_tensor(rt_tensor t) {
  if (t == nullptr) return std::nullopt;
  return T(t);
}
inline at::IntArrayRef dims(const int64_t *values, int count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

at::ScalarType scalar_type(int32_t dtype);
int32_t dtype_code(at::ScalarType type);
at::Device device(int32_t type, int32_t index);
at::TensorOptions options(rt_options opts);

// x Wᵀ + b for the few rows of a decoding step (decode_linear.cpp); applies says when it can.
bool decode_linear_applies(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias);
at::Tensor decode_linear(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias);
// at::linear through decode_linear where it applies; a weight in another dtype takes x's first.
at::Tensor linear(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias);
// x·Wᵀ + b for a frozen W in another dtype than x, through one autograd node that widens W for
// the call and again in backward (widened_linear.cpp).
at::Tensor widened_linear(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias);
// float32 x·Wᵀ + b through oneDNN's matmul where the CPU runs it faster than MKL's sgemm
// (onednn_linear.cpp); applies says when it does.
bool onednn_linear_applies(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias);
at::Tensor onednn_linear(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias);

// Attention of one query per row over a KV cache, float32 without autograd
// (decode_attention.cpp); applies says when it can.
bool decode_attention_applies(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                              const std::optional<at::Tensor> &mask, bool causal);
at::Tensor decode_attention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                            const std::optional<at::Tensor> &mask, double scale);

// One-pass RMSNorm and rotary embedding without autograd, libtorch's composites with it
// (fused_inference.cpp).
at::Tensor rms_norm(const at::Tensor &x, const std::optional<at::Tensor> &weight, double eps);
// Rows of `dim` floats per task so that a task has ~64 KB of work.
int64_t row_grain(int64_t dim);
// y = x / rms(x) · w over `rows` rows of `dim` floats (w may be null: 1), writing each row's
// 1 / rms to `scales` when it is not null.
void normalise_rows(const float *xs, const float *ws, float *ys, float *scales, int64_t rows, int64_t dim, float eps);
at::Tensor rotary_embedding(const at::Tensor &x, const at::Tensor &cos, const at::Tensor &sin);

// RMSNorm as one autograd node in float32 training passes (rms_norm_training.cpp); applies
// says when it can, and the per-thread switch lets tests compare it with libtorch's.
bool trained_rms_norm_applies(const at::Tensor &x, const std::optional<at::Tensor> &weight);
at::Tensor trained_rms_norm(const at::Tensor &x, const at::Tensor &weight, double eps);
bool trained_rms_norm_enabled();

}  // namespace rlrun

// Every C entry point runs its body inside one of these: C++ exceptions become the
// thread's last error and a NULL / -1 result.
#define RT_CATCH(fail)                                                         \
  catch (const c10::Error &e) {                                                \
    rlrun::set_last_error(e.what_without_backtrace());                         \
    return fail;                                                               \
  }                                                                            \
  catch (const std::exception &e) {                                            \
    rlrun::set_last_error(e.what());                                           \
    return fail;                                                               \
  }                                                                            \
  catch (...) {                                                                \
    rlrun::set_last_error("unknown C++ exception");                            \
    return fail;                                                               \
  }

#define RT_TENSOR(expr)                                                        \
  try {                                                                        \
    return rlrun::wrap(expr);                                                  \
  }                                                                            \
  RT_CATCH(nullptr)

#define RT_STATUS(body)                                                        \
  try {                                                                        \
    body;                                                                      \
    return 0;                                                                  \
  }                                                                            \
  RT_CATCH(-1)
