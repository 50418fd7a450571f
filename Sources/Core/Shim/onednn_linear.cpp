// x·Wᵀ + b in float32 through oneDNN's matmul instead of MKL's sgemm, forward and backward.
//
// MKL runs its AVX-512 kernels on Intel CPUs only: on an AMD CPU with AVX-512 it takes its AVX2
// path, and libtorch's own copy of oneDNN (reached on plain tensors through
// at::native::mkldnn_matmul, no layout conversion) is 2-2.5x faster on the training matmuls of
// the tiny and small shapes there (a [6144, 160] x [160, 480] product: 6.4 ms against 2.7 ms on
// 2 EPYC cores). One autograd node, so that the backward pass's two products take it too.
#include "shim_internal.h"
#include <ATen/autocast_mode.h>
#include <torch/autograd.h>
#include <cstdlib>
#include <cstring>

namespace at::native {
TORCH_API void mkldnn_matmul(const Tensor &mat1, const Tensor &mat2, const Tensor &result, float beta, float alpha);
}

namespace {

// a [m, k] · b [k, n] into a new [m, n]; oneDNN reads any strides (transposed views included).
at::Tensor product(const at::Tensor &a, const at::Tensor &b) {
  auto out = at::empty({a.size(0), b.size(1)}, a.options());
  at::native::mkldnn_matmul(a, b, out, 0, 1);
  return out;
}

// x [..., in] · wᵀ as [..., out], through `product`; `rows` is x as [N, in].
at::Tensor multiply(const at::Tensor &x, const at::Tensor &rows, const at::Tensor &w) {
  auto shape = x.sizes().vec();
  shape.back() = w.size(0);
  return product(rows, w.t()).view(shape);
}

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct OneDNNLinear : public torch::autograd::Function<OneDNNLinear> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &x, const at::Tensor &w) {
    auto rows = x.reshape({-1, x.size(-1)});
    // Each operand is kept only for the gradient that needs it (a frozen W needs no x).
    ctx->save_for_backward({w.requires_grad() ? rows : at::Tensor(), x.requires_grad() ? w : at::Tensor()});
    ctx->saved_data["shape"] = x.sizes().vec();
    return multiply(x, rows, w);
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto shape = ctx->saved_data["shape"].toIntVector();
    auto g = grads[0].reshape({-1, grads[0].size(-1)});
    at::Tensor dx, dw;
    if (ctx->needs_input_grad(0)) dx = product(g, saved[1]).view(shape);
    if (ctx->needs_input_grad(1)) dw = product(g.t(), saved[0]);
    return {dx, dw};
  }
};

#if defined(__x86_64__)
bool cpu_prefers_onednn() {
  static const bool prefers = __builtin_cpu_supports("avx512f") && !__builtin_cpu_is("intel");
  return prefers;
}
#else
bool cpu_prefers_onednn() { return false; }
#endif

// RLRUN_CPU_MATMUL=onednn or mkl overrides the CPU's choice for the process.
bool process_default() {
  static const bool on = [] {
    if (!at::hasMKLDNN()) return false;
    if (const char *choice = std::getenv("RLRUN_CPU_MATMUL")) {
      if (std::strcmp(choice, "onednn") == 0) return true;
      if (std::strcmp(choice, "mkl") == 0) return false;
    }
    return cpu_prefers_onednn();
  }();
  return on;
}

// -1: the process's default; 0 or 1 set by a test on its own thread (as decode_linear.cpp's).
thread_local int override_choice = -1;

}  // namespace

namespace rlrun {

bool onednn_linear_enabled() { return override_choice >= 0 ? override_choice == 1 && at::hasMKLDNN() : process_default(); }

bool onednn_linear_applies(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias) {
  if (!onednn_linear_enabled() || x.dim() < 1 || w.dim() != 2 || x.numel() == 0) return false;
  if (x.scalar_type() != at::kFloat || w.scalar_type() != at::kFloat || !x.device().is_cpu() || !w.device().is_cpu()) return false;
  if (x.size(-1) != w.size(1)) return false;
  if (bias && (bias->scalar_type() != at::kFloat || bias->dim() != 1 || bias->size(0) != w.size(0) || !bias->device().is_cpu()))
    return false;
  return !at::autocast::is_autocast_enabled(at::kCPU);  // autocast asked for libtorch's bf16 linear
}

at::Tensor onednn_linear(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias) {
  const bool recording = c10::GradMode::is_enabled() && (x.requires_grad() || w.requires_grad() || (bias && bias->requires_grad()));
  if (recording) {
    auto y = OneDNNLinear::apply(x, w);
    return bias ? y + *bias : y;  // the bias by autograd (a node cannot take an undefined input)
  }
  auto y = multiply(x, x.reshape({-1, x.size(-1)}), w);
  if (bias) y.add_(*bias);
  return y;
}

}  // namespace rlrun

extern "C" void rt_set_onednn_linear(int choice) { override_choice = choice < 0 ? -1 : (choice > 0 ? 1 : 0); }
extern "C" bool rt_onednn_linear_enabled(void) { return rlrun::onednn_linear_enabled(); }
