// Autograd, in-place updates, optimiser kernels and the C++ side of the overhead benchmark.
#include "shim_internal.h"
#include <ATen/autocast_mode.h>

#include <c10/core/GradMode.h>
#include <chrono>
#include <vector>

using namespace rlrun;

static std::vector<at::Tensor> tensors(const rt_tensor *handles, int count) {
  std::vector<at::Tensor> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; i++) out.push_back(T(handles[i]));
  return out;
}

extern "C" {

int rt_set_requires_grad(rt_tensor t, bool requires_grad) { RT_STATUS(T(t).set_requires_grad(requires_grad)) }
bool rt_requires_grad(rt_tensor t) { return T(t).requires_grad(); }

rt_tensor rt_grad(rt_tensor t) {
  const auto &g = T(t).grad();
  if (!g.defined()) return nullptr;
  return wrap(g);
}

int rt_zero_grad(rt_tensor t) { RT_STATUS(T(t).mutable_grad().reset()) }

int rt_backward(rt_tensor t, rt_tensor gradient, bool retain_graph) {
  RT_STATUS(T(t).backward(gradient ? T(gradient) : at::Tensor(), retain_graph))
}

rt_tensor rt_detach(rt_tensor t) { RT_TENSOR(T(t).detach()) }
bool rt_grad_enabled(void) { return c10::GradMode::is_enabled(); }
void rt_set_grad_enabled(bool enabled) { c10::GradMode::set_enabled(enabled); }

int rt_copy_(rt_tensor dst, rt_tensor src) { RT_STATUS(T(dst).copy_(T(src))) }
int rt_add_(rt_tensor t, rt_tensor other, double alpha) { RT_STATUS(T(t).add_(T(other), alpha)) }
int rt_mul_scalar_(rt_tensor t, double s) { RT_STATUS(T(t).mul_(s)) }
int rt_fill_(rt_tensor t, double value) { RT_STATUS(T(t).fill_(value)) }

int rt_adamw_step(const rt_tensor *params, const rt_tensor *grads, const rt_tensor *exp_avgs,
                  const rt_tensor *exp_avg_sqs, const rt_tensor *steps, int count, double lr,
                  double beta1, double beta2, double weight_decay, double eps) {
  RT_STATUS({
    c10::NoGradGuard no_grad;
    auto p = tensors(params, count);
    auto g = tensors(grads, count);
    auto m = tensors(exp_avgs, count);
    auto v = tensors(exp_avg_sqs, count);
    auto s = tensors(steps, count);
    at::_foreach_add_(s, 1);  // the fused kernel expects the step count of this update
    at::_fused_adamw_(p, g, m, v, {}, s, lr, beta1, beta2, weight_decay, eps,
                      /*amsgrad=*/false, /*maximize=*/false);
  })
}

int rt_clip_grad_norm(const rt_tensor *params, int count, double max_norm, double *total_norm) {
  RT_STATUS({
    c10::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int i = 0; i < count; i++) {
      const auto &g = T(params[i]).grad();
      if (g.defined()) grads.push_back(g);
    }
    *total_norm = 0;
    if (grads.empty()) return 0;
    std::vector<at::Tensor> norms;
    for (auto &n : at::_foreach_norm(grads, 2)) norms.push_back(n.to(at::kFloat));
    auto total = at::linalg_vector_norm(at::stack(norms), 2);
    *total_norm = total.item<double>();
    if (max_norm > 0 && *total_norm > max_norm)
      at::_foreach_mul_(grads, max_norm / (*total_norm + 1e-6));
  })
}

double rt_bench_add_loop(rt_tensor a, rt_tensor b, int64_t iterations) {
  try {
    const auto &x = T(a);
    const auto &y = T(b);
    auto start = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < iterations; i++) {
      auto r = at::add(x, y);
      (void)r;
    }
    auto ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    return ns / static_cast<double>(iterations);
  }
  RT_CATCH(-1)
}

}  // extern "C"

extern "C" int rt_set_autocast(int32_t device_type, bool enabled, int32_t dtype) {
  try {
    const auto device = device_type == RT_CUDA ? at::kCUDA : at::kCPU;
    const bool previous = at::autocast::is_autocast_enabled(device);
    if (enabled) at::autocast::set_autocast_dtype(device, rlrun::scalar_type(dtype));
    at::autocast::set_autocast_enabled(device, enabled);
    if (!enabled) at::autocast::clear_cache();
    return previous ? 1 : 0;
  }
  RT_CATCH(-1)
}
