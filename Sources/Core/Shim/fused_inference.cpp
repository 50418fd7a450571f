// RMSNorm and rotary embedding in one pass each, where no gradient is recorded.
//
// libtorch composes both from elementwise ops (rms_norm: pow, mean, add, rsqrt, mul, mul;
// rotary: two slices, neg, cat, mul, mul, add), each a dispatch and a pass over memory. On a
// decoding step's few rows that overhead is the cost: rms_norm of one 384-wide row took 35 µs
// (torch 2.15, 2 cores), where a single pass takes well under one. With autograd on, or for
// other dtypes and devices, the composite ops run instead, so gradients are libtorch's own.
#include "shim_internal.h"
#include "parallel_for.h"
#include <c10/core/GradMode.h>
#include <cmath>

namespace rlrun {
namespace {

bool fused_applies(std::initializer_list<const at::Tensor *> tensors) {
  for (const at::Tensor *t : tensors) {
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat) return false;
    if (c10::GradMode::is_enabled() && t->requires_grad()) return false;
  }
  return true;
}

}  // namespace

int64_t row_grain(int64_t dim) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(dim, 1)); }

void normalise_rows(const float *xs, const float *ws, float *ys, float *scales, int64_t rows, int64_t dim, float eps) {
  parallel_for(0, rows, row_grain(dim), [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; r++) {
      const float *row = xs + r * dim;
      float *out = ys + r * dim;
      float lanes[8] = {};  // eight partial sums, so the loop vectorizes
      int64_t i = 0;
      for (; i + 8 <= dim; i += 8)
        for (int j = 0; j < 8; j++) lanes[j] += row[i + j] * row[i + j];
      float squares = 0;
      for (int j = 0; j < 8; j++) squares += lanes[j];
      for (; i < dim; i++) squares += row[i] * row[i];
      const float scale = 1.0f / std::sqrt(squares / static_cast<float>(dim) + eps);
      if (scales) scales[r] = scale;
      for (int64_t i = 0; i < dim; i++) out[i] = row[i] * scale * (ws ? ws[i] : 1.0f);
    }
  });
}

at::Tensor rms_norm(const at::Tensor &input, const std::optional<at::Tensor> &weight, double eps) {
  if (input.dim() < 1) return at::rms_norm(input, {}, weight, eps);  // libtorch reports the misuse
  const int64_t dim = input.size(-1);
  const bool fits = fused_applies({&input}) &&
                    (!weight || (fused_applies({&*weight}) && weight->dim() == 1 && weight->size(0) == dim));
  if (!fits && trained_rms_norm_enabled() && trained_rms_norm_applies(input, weight))
    return trained_rms_norm(input, *weight, eps);
  if (!fits || input.numel() == 0) return at::rms_norm(input, {dim}, weight, eps);
  auto x = input.contiguous();
  auto w = weight ? std::optional<at::Tensor>(weight->contiguous()) : std::nullopt;
  auto y = at::empty_like(x);
  normalise_rows(x.data_ptr<float>(), w ? w->data_ptr<float>() : nullptr, y.data_ptr<float>(), nullptr, x.numel() / dim, dim,
                 static_cast<float>(eps));
  return y;
}

// x·cos + rotate_half(x)·sin over the last dimension, rotate_half(x) = cat(−x₂, x₁).
at::Tensor rotary_embedding(const at::Tensor &x, const at::Tensor &cos, const at::Tensor &sin) {
  const int64_t dim = x.dim() > 0 ? x.size(-1) : 0;
  bool fits = x.dim() == 4 && dim % 2 == 0 && fused_applies({&x, &cos, &sin}) && x.stride(-1) == 1;
  at::Tensor c, s;
  if (fits) {
    try {  // broadcast failures fall through to the composite, which reports them
      c = cos.expand(x.sizes());
      s = sin.expand(x.sizes());
    } catch (const c10::Error &) {
      fits = false;
    }
  }
  if (!fits || c.stride(-1) != 1 || s.stride(-1) != 1 || x.numel() == 0) {
    const int64_t half = dim / 2;
    return x * cos + at::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1) * sin;
  }
  // y keeps x's memory layout (q and k arrive as transposed views of [B, L, H, D]).
  auto y = at::empty_like(x);
  if (y.stride(-1) != 1) y = at::empty(x.sizes(), x.options());
  const int64_t half = dim / 2, heads = x.size(1), length = x.size(2);
  const float *xs = x.data_ptr<float>(), *cs = c.data_ptr<float>(), *ss = s.data_ptr<float>();
  float *ys = y.data_ptr<float>();
  parallel_for(0, x.size(0) * heads * length, row_grain(dim), [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; r++) {
      const int64_t b = r / (heads * length), h = (r / length) % heads, l = r % length;
      auto offset = [&](const at::Tensor &t) { return b * t.stride(0) + h * t.stride(1) + l * t.stride(2); };
      const float *row = xs + offset(x), *cr = cs + offset(c), *sr = ss + offset(s);
      float *out = ys + offset(y);
      for (int64_t i = 0; i < half; i++) {
        out[i] = row[i] * cr[i] + (-row[i + half]) * sr[i];
        out[i + half] = row[i + half] * cr[i + half] + row[i] * sr[i + half];
      }
    }
  });
  return y;
}

}  // namespace rlrun
