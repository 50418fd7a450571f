// RMSNorm as one autograd node for float32 training passes on the CPU.
//
// libtorch's at::rms_norm is a composite: pow, mean, add, rsqrt, mul, mul forward, and their
// dozen backward nodes, each a dispatch and a pass over the activations. This node makes one
// pass forward (saving each row's 1/rms) and one pass backward (dx and the rows' share of dw):
//   x̂ = x · r, r = 1/sqrt(mean(x²) + eps), y = x̂ · w
//   g = dy · w, dx = r · (g − x̂ · mean(g · x̂)), dw = Σ_rows dy · x̂
#include "shim_internal.h"
#include "parallel_for.h"
#include <torch/autograd.h>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {
// On unless RLRUN_FUSED_NORM=0 (for A/B runs); tests turn it off on their own thread.
thread_local bool enabled = [] {
  const char *choice = std::getenv("RLRUN_FUSED_NORM");
  return !(choice && std::strcmp(choice, "0") == 0);
}();
}  // namespace

namespace rlrun {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

struct TrainedRMSNorm : public torch::autograd::Function<TrainedRMSNorm> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &input, const at::Tensor &weight, double eps) {
    const int64_t dim = input.size(-1);
    auto x = input.contiguous();
    auto w = weight.contiguous();
    auto y = at::empty_like(x);
    const int64_t rows = x.numel() / dim;
    auto inverse = at::empty({rows}, x.options());
    normalise_rows(x.data_ptr<float>(), w.data_ptr<float>(), y.data_ptr<float>(), inverse.data_ptr<float>(), rows, dim,
                   static_cast<float>(eps));
    ctx->save_for_backward({x, w, inverse});
    return y;
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &w = saved[1], &inverse = saved[2];
    auto dy = grads[0].contiguous();
    const int64_t dim = x.size(-1), rows = x.numel() / dim;
    const bool wantsInput = ctx->needs_input_grad(0), wantsWeight = ctx->needs_input_grad(1);
    at::Tensor dx = wantsInput ? at::empty_like(x) : at::Tensor();
    const int64_t grain = row_grain(dim);
    const int64_t tasks = std::max<int64_t>(1, (rows + grain - 1) / grain);
    // One partial dw per task, summed afterwards: no two threads write the same row of it.
    std::vector<float> partial(wantsWeight ? static_cast<size_t>(tasks * dim) : 0, 0.0f);
    const float *xs = x.data_ptr<float>(), *ws = w.data_ptr<float>(), *rs = inverse.data_ptr<float>();
    const float *gs = dy.data_ptr<float>();
    float *dxs = wantsInput ? dx.data_ptr<float>() : nullptr;
    parallel_for(0, tasks, 1, [&](int64_t firstTask, int64_t lastTask) {
      for (int64_t task = firstTask; task < lastTask; task++) {
        float *dw = wantsWeight ? partial.data() + task * dim : nullptr;
        for (int64_t r = task * grain; r < std::min(rows, (task + 1) * grain); r++) {
          const float *row = xs + r * dim, *g = gs + r * dim;
          const float scale = rs[r];
          if (dw)
            for (int64_t i = 0; i < dim; i++) dw[i] += g[i] * row[i] * scale;
          if (!dxs) continue;
          float weighted = 0;  // Σ g·w·x
          {
            float lanes[8] = {};
            int64_t i = 0;
            for (; i + 8 <= dim; i += 8)
              for (int j = 0; j < 8; j++) lanes[j] += g[i + j] * ws[i + j] * row[i + j];
            for (int j = 0; j < 8; j++) weighted += lanes[j];
            for (; i < dim; i++) weighted += g[i] * ws[i] * row[i];
          }
          // mean(g·w · x̂) = r · Σ g·w·x / dim, and x̂ = r · x.
          const float correction = scale * scale * weighted / static_cast<float>(dim);
          float *out = dxs + r * dim;
          for (int64_t i = 0; i < dim; i++) out[i] = scale * (g[i] * ws[i] - row[i] * correction);
        }
      }
    });
    at::Tensor dw;
    if (wantsWeight) {
      dw = at::zeros({dim}, w.options());
      float *sum = dw.data_ptr<float>();
      for (int64_t task = 0; task < tasks; task++)
        for (int64_t i = 0; i < dim; i++) sum[i] += partial[task * dim + i];
    }
    return {dx, dw, at::Tensor()};
  }
};

}  // namespace

bool trained_rms_norm_applies(const at::Tensor &x, const std::optional<at::Tensor> &weight) {
  if (!weight || weight->dim() != 1 || x.dim() < 1 || x.numel() == 0 || weight->size(0) != x.size(-1)) return false;
  for (const at::Tensor *t : {&x, &*weight})
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat) return false;
  return true;
}

bool trained_rms_norm_enabled() { return enabled; }

at::Tensor trained_rms_norm(const at::Tensor &x, const at::Tensor &weight, double eps) {
  return TrainedRMSNorm::apply(x, weight, eps);
}

}  // namespace rlrun

extern "C" void rt_set_trained_rms_norm_enabled(bool on) { enabled = on; }
