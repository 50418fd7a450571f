// x·Wᵀ + b for a frozen W kept in a narrower dtype than x (bf16 weights under float32 compute,
// a LoRA run's bf16 base), as one autograd node that keeps W as stored and widens it again in
// the backward pass. at::linear over W.to(x's dtype) would keep every layer's widened copy
// alive until backward(), so a training pass would peak at the float32 model's memory.
#include "shim_internal.h"
#include "parallel_for.h"
#include <torch/autograd.h>
#include <cstring>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

// bf16 → float32 is a 16-bit shift: one vectorised pass on the shim's threads.
#if defined(__x86_64__)
__attribute__((target("avx2"))) void widen_range(const uint16_t *from, float *to, int64_t first, int64_t last) {
  int64_t i = first;
  for (; i + 8 <= last; i += 8) {
    const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(from + i)));
    _mm256_storeu_ps(to + i, _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16)));
  }
  for (; i < last; i++) {
    const uint32_t bits = static_cast<uint32_t>(from[i]) << 16;
    std::memcpy(to + i, &bits, sizeof bits);
  }
}
#endif

// W in x's dtype for one call.
at::Tensor widen(const at::Tensor &w, at::ScalarType type) {
#if defined(__x86_64__)
  if (type == at::kFloat && w.scalar_type() == at::kBFloat16 && w.device().is_cpu() && w.is_contiguous() &&
      __builtin_cpu_supports("avx2")) {
    auto out = at::empty(w.sizes(), w.options().dtype(at::kFloat));
    const auto *from = reinterpret_cast<const uint16_t *>(w.data_ptr<at::BFloat16>());
    float *to = out.data_ptr<float>();
    rlrun::parallel_for(0, w.numel(), 1 << 16, [&](int64_t first, int64_t last) { widen_range(from, to, first, last); });
    return out;
  }
#endif
  return w.to(type);
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct WidenedLinear : public torch::autograd::Function<WidenedLinear> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &x, const at::Tensor &w) {
    ctx->save_for_backward({w});
    return at::linear(x, widen(w, x.scalar_type()));
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    auto w = widen(ctx->get_saved_variables()[0], grads[0].scalar_type());
    return {grads[0].matmul(w), at::Tensor()};  // W is frozen
  }
};

}  // namespace

namespace rlrun {

at::Tensor widened_linear(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias) {
  auto y = WidenedLinear::apply(x, w);
  return bias ? y + bias->to(x.scalar_type()) : y;  // the bias (float32 in a bf16-weight model) by autograd
}

}  // namespace rlrun
