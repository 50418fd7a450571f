// RMSNorm and rotary embedding in one pass each, forward and backward.
//
// libtorch composes both from elementwise ops (rms_norm: pow, mean, add, rsqrt, mul, mul;
// rotary: two slices, neg, cat, mul, mul, add), each a dispatch and a pass over memory, and
// autograd records every one of them for the backward pass. On a decoding step's few rows
// that overhead is the cost: rms_norm of one 384-wide row took 35 µs (torch 2.15, 2 cores),
// where a single pass takes well under one. Here each is one loop over the rows, and one
// autograd node whose backward is one loop too. float32 on the CPU only; other dtypes and
// devices, and cos/sin that need gradients, take libtorch's composite ops.
#include "shim_internal.h"
#include "parallel_for.h"
#include <c10/core/GradMode.h>
#include <torch/autograd.h>
#include <cmath>

namespace rlrun {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

bool is_cpu_float(const at::Tensor &t) { return t.device().is_cpu() && t.scalar_type() == at::kFloat; }

// Rows of `dim` floats per task so that a task has ~64 KB of work.
int64_t row_grain(int64_t dim) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(dim, 1)); }

// Σ a[i]·b[i] with eight partial sums, so the loop vectorizes.
inline float dot(const float *a, const float *b, int64_t n) {
  float lanes[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) lanes[j] += a[i + j] * b[i + j];
  float sum = 0;
  for (int j = 0; j < 8; j++) sum += lanes[j];
  for (; i < n; i++) sum += a[i] * b[i];
  return sum;
}

// ---- RMSNorm: y = x · r · w with r = 1 / sqrt(mean(x²) + eps) per row ---------------------

// x contiguous [rows, dim]; w [dim] or undefined. Returns y and r [rows].
std::pair<at::Tensor, at::Tensor> rms_norm_forward(const at::Tensor &x, const at::Tensor &w, double eps) {
  const int64_t dim = x.size(-1), rows = x.numel() / dim;
  auto y = at::empty_like(x);
  auto r = at::empty({rows}, x.options());
  const float *xs = x.data_ptr<float>(), *ws = w.defined() ? w.data_ptr<float>() : nullptr;
  float *ys = y.data_ptr<float>(), *rs = r.data_ptr<float>();
  const float epsilon = static_cast<float>(eps);
  parallel_for(0, rows, row_grain(dim), [&](int64_t first, int64_t last) {
    for (int64_t row = first; row < last; row++) {
      const float *in = xs + row * dim;
      float *out = ys + row * dim;
      const float scale = 1.0f / std::sqrt(dot(in, in, dim) / static_cast<float>(dim) + epsilon);
      rs[row] = scale;
      for (int64_t i = 0; i < dim; i++) out[i] = in[i] * scale * (ws ? ws[i] : 1.0f);
    }
  });
  return {y, r};
}

// With n = x·r and g the gradient of y: dx = r · (g·w − n · mean(g·w·n)), dw = Σ_rows g·n.
at::Tensor rms_norm_input_gradient(const at::Tensor &g, const at::Tensor &x, const at::Tensor &w, const at::Tensor &r) {
  const int64_t dim = x.size(-1), rows = x.numel() / dim;
  auto dx = at::empty_like(x);
  const float *gs = g.data_ptr<float>(), *xs = x.data_ptr<float>(), *rs = r.data_ptr<float>();
  const float *ws = w.defined() ? w.data_ptr<float>() : nullptr;
  float *dxs = dx.data_ptr<float>();
  parallel_for(0, rows, row_grain(dim), [&](int64_t first, int64_t last) {
    std::vector<float> gw(dim);
    for (int64_t row = first; row < last; row++) {
      const float *gr = gs + row * dim, *xr = xs + row * dim;
      for (int64_t i = 0; i < dim; i++) gw[i] = gr[i] * (ws ? ws[i] : 1.0f);
      const float scale = rs[row];
      const float mean = dot(gw.data(), xr, dim) * scale / static_cast<float>(dim);  // mean(g·w·n)
      float *out = dxs + row * dim;
      for (int64_t i = 0; i < dim; i++) out[i] = scale * (gw[i] - xr[i] * scale * mean);
    }
  });
  return dx;
}

struct RMSNormNode : public torch::autograd::Function<RMSNormNode> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &x, const at::Tensor &w, double eps) {
    auto [y, r] = rms_norm_forward(x, w, eps);
    ctx->save_for_backward({x, w, r});
    return y;
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &w = saved[1], &r = saved[2];
    auto g = grads[0].contiguous();
    at::Tensor dx, dw;
    if (ctx->needs_input_grad(0)) dx = rms_norm_input_gradient(g, x, w, r);
    if (ctx->needs_input_grad(1)) {
      const int64_t dim = x.size(-1);
      dw = (g.reshape({-1, dim}) * x.reshape({-1, dim}) * r.unsqueeze(1)).sum(0);
    }
    return {dx, dw, at::Tensor()};
  }
};

// ---- rotary embedding: x·cos + rotate_half(x)·sin, rotate_half(x) = cat(−x₂, x₁) ----------

// y = x·c + rotate_half(x)·s, or with `transposed` the backward map dx = g·c + rotate_halfᵀ(g·s)
// (rotate_halfᵀ(v) = cat(v₂, −v₁)). x [B, H, L, D] with unit stride in D; c and s expanded to x.
at::Tensor rotate(const at::Tensor &x, const at::Tensor &c, const at::Tensor &s, bool transposed) {
  const int64_t dim = x.size(-1), half = dim / 2, heads = x.size(1), length = x.size(2);
  auto y = at::empty(x.sizes(), x.options());
  const float *xs = x.data_ptr<float>(), *cs = c.data_ptr<float>(), *ss = s.data_ptr<float>();
  float *ys = y.data_ptr<float>();
  parallel_for(0, x.size(0) * heads * length, row_grain(dim), [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; r++) {
      const int64_t b = r / (heads * length), h = (r / length) % heads, l = r % length;
      const float *in = xs + b * x.stride(0) + h * x.stride(1) + l * x.stride(2);
      const float *cr = cs + b * c.stride(0) + h * c.stride(1) + l * c.stride(2);
      const float *sr = ss + b * s.stride(0) + h * s.stride(1) + l * s.stride(2);
      float *out = ys + r * dim;
      for (int64_t i = 0; i < half; i++) {
        if (transposed) {
          out[i] = in[i] * cr[i] + in[i + half] * sr[i + half];
          out[i + half] = in[i + half] * cr[i + half] + (-in[i]) * sr[i];
        } else {
          out[i] = in[i] * cr[i] + (-in[i + half]) * sr[i];
          out[i + half] = in[i + half] * cr[i + half] + in[i] * sr[i + half];
        }
      }
    }
  });
  return y;
}

struct RotaryNode : public torch::autograd::Function<RotaryNode> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &x, const at::Tensor &c, const at::Tensor &s) {
    ctx->save_for_backward({c, s});
    return rotate(x, c, s, /*transposed=*/false);
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    return {rotate(grads[0].contiguous(), saved[0], saved[1], /*transposed=*/true), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor rms_norm(const at::Tensor &input, const std::optional<at::Tensor> &weight, double eps) {
  const int64_t dim = input.dim() >= 1 ? input.size(-1) : 0;
  const bool fits = dim > 0 && input.numel() > 0 && is_cpu_float(input) &&
                    (!weight || (is_cpu_float(*weight) && weight->dim() == 1 && weight->size(0) == dim));
  if (!fits) return at::rms_norm(input, {dim}, weight, eps);
  auto x = input.contiguous();
  auto w = weight ? weight->contiguous() : at::Tensor();
  const bool tracked = c10::GradMode::is_enabled() && (x.requires_grad() || (w.defined() && w.requires_grad()));
  if (!tracked) return rms_norm_forward(x, w, eps).first;
  // The node takes a defined weight: ones (never trained) stand in for none.
  return RMSNormNode::apply(x, w.defined() ? w : at::ones({dim}, x.options()), eps);
}

at::Tensor rotary_embedding(const at::Tensor &x, const at::Tensor &cos, const at::Tensor &sin) {
  const int64_t dim = x.dim() > 0 ? x.size(-1) : 0;
  const bool tables_tracked = c10::GradMode::is_enabled() && (cos.requires_grad() || sin.requires_grad());
  bool fits = x.dim() == 4 && dim % 2 == 0 && x.numel() > 0 && x.stride(-1) == 1 && is_cpu_float(x) &&
              is_cpu_float(cos) && is_cpu_float(sin) && !tables_tracked;
  at::Tensor c, s;
  if (fits) {
    try {  // broadcast failures fall through to the composite, which reports them
      c = cos.expand(x.sizes());
      s = sin.expand(x.sizes());
      fits = c.stride(-1) == 1 && s.stride(-1) == 1;
    } catch (const c10::Error &) {
      fits = false;
    }
  }
  if (!fits) {
    const int64_t half = dim / 2;
    return x * cos + at::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1) * sin;
  }
  const bool tracked = c10::GradMode::is_enabled() && x.requires_grad();
  return tracked ? RotaryNode::apply(x, c, s) : rotate(x, c, s, /*transposed=*/false);
}

}  // namespace rlrun
