// Tensor operations: one C function per ATen op, no logic beyond argument conversion.
#include "shim_internal.h"

#include <vector>

using namespace rlrun;

static std::vector<at::Tensor> tensor_list(const rt_tensor *handles, int count) {
  std::vector<at::Tensor> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; i++) out.push_back(T(handles[i]));
  return out;
}

static rt_tensor with_indices(std::tuple<at::Tensor, at::Tensor> result, rt_tensor *indices) {
  *indices = wrap(std::get<1>(result));
  return wrap(std::get<0>(result));
}

#define BINARY(name, expr) \
  rt_tensor rt_##name(rt_tensor a, rt_tensor b) { RT_TENSOR(expr) }
#define SCALAR(name, expr) \
  rt_tensor rt_##name(rt_tensor a, double s) { RT_TENSOR(expr) }
#define UNARY(name, expr) \
  rt_tensor rt_##name(rt_tensor a) { RT_TENSOR(expr) }
#define REDUCE(name, expr) \
  rt_tensor rt_##name(rt_tensor a, const int64_t *d, int nd, bool keepdim) { RT_TENSOR(expr) }

extern "C" {

BINARY(add, T(a) + T(b))
BINARY(sub, T(a) - T(b))
BINARY(mul, T(a) * T(b))
BINARY(div, T(a) / T(b))
BINARY(pow, at::pow(T(a), T(b)))
BINARY(maximum, at::maximum(T(a), T(b)))
BINARY(minimum, at::minimum(T(a), T(b)))
BINARY(eq, at::eq(T(a), T(b)))
BINARY(ne, at::ne(T(a), T(b)))
BINARY(lt, at::lt(T(a), T(b)))
BINARY(le, at::le(T(a), T(b)))
BINARY(gt, at::gt(T(a), T(b)))
BINARY(ge, at::ge(T(a), T(b)))
BINARY(logical_and, at::logical_and(T(a), T(b)))
BINARY(logical_or, at::logical_or(T(a), T(b)))
BINARY(matmul, at::matmul(T(a), T(b)))

SCALAR(add_scalar, T(a) + s)
SCALAR(sub_scalar, T(a) - s)
SCALAR(rsub_scalar, s - T(a))
SCALAR(mul_scalar, T(a) * s)
SCALAR(div_scalar, T(a) / s)
SCALAR(rdiv_scalar, s / T(a))
SCALAR(pow_scalar, at::pow(T(a), s))
SCALAR(eq_scalar, at::eq(T(a), s))
SCALAR(ne_scalar, at::ne(T(a), s))
SCALAR(lt_scalar, at::lt(T(a), s))
SCALAR(le_scalar, at::le(T(a), s))
SCALAR(gt_scalar, at::gt(T(a), s))
SCALAR(ge_scalar, at::ge(T(a), s))

UNARY(neg, at::neg(T(a)))
UNARY(abs, at::abs(T(a)))
UNARY(exp, at::exp(T(a)))
UNARY(log, at::log(T(a)))
UNARY(log1p, at::log1p(T(a)))
UNARY(expm1, at::expm1(T(a)))
UNARY(sqrt, at::sqrt(T(a)))
UNARY(rsqrt, at::rsqrt(T(a)))
UNARY(square, at::square(T(a)))
UNARY(sin, at::sin(T(a)))
UNARY(cos, at::cos(T(a)))
UNARY(tanh, at::tanh(T(a)))
UNARY(sigmoid, at::sigmoid(T(a)))
UNARY(relu, at::relu(T(a)))
UNARY(silu, at::silu(T(a)))
UNARY(gelu_tanh, at::gelu(T(a), "tanh"))
UNARY(sign, at::sign(T(a)))
UNARY(floor, at::floor(T(a)))
UNARY(logical_not, at::logical_not(T(a)))
UNARY(isnan, at::isnan(T(a)))
UNARY(isfinite, at::isfinite(T(a)))

rt_tensor rt_where(rt_tensor condition, rt_tensor a, rt_tensor b) { RT_TENSOR(at::where(T(condition), T(a), T(b))) }

rt_tensor rt_clamp(rt_tensor a, double min, double max, bool has_min, bool has_max) {
  RT_TENSOR(at::clamp(T(a), has_min ? std::optional<at::Scalar>(min) : std::nullopt,
                      has_max ? std::optional<at::Scalar>(max) : std::nullopt))
}

// ---- reductions -------------------------------------------------------------------------

static at::OptionalIntArrayRef dim_list(const int64_t *d, int nd) {
  if (nd == 0) return std::nullopt;
  return dims(d, nd);
}

REDUCE(sum, at::sum(T(a), dim_list(d, nd), keepdim))
REDUCE(mean, at::mean(T(a), dim_list(d, nd), keepdim))
REDUCE(amax, at::amax(T(a), dims(d, nd), keepdim))
REDUCE(amin, at::amin(T(a), dims(d, nd), keepdim))
REDUCE(logsumexp, nd == 0 ? at::logsumexp(T(a).flatten(), {0}, keepdim)
                          : at::logsumexp(T(a), dims(d, nd), keepdim))

rt_tensor rt_var(rt_tensor a, const int64_t *d, int nd, double correction, bool keepdim) {
  RT_TENSOR(at::var(T(a), dim_list(d, nd), at::Scalar(correction), keepdim))
}

UNARY(any, at::any(T(a)))
UNARY(all, at::all(T(a)))

rt_tensor rt_max_dim(rt_tensor a, int64_t dim, bool keepdim, rt_tensor *indices) {
  try { return with_indices(at::max(T(a), dim, keepdim), indices); }
  RT_CATCH(nullptr)
}
rt_tensor rt_min_dim(rt_tensor a, int64_t dim, bool keepdim, rt_tensor *indices) {
  try { return with_indices(at::min(T(a), dim, keepdim), indices); }
  RT_CATCH(nullptr)
}
rt_tensor rt_sort(rt_tensor a, int64_t dim, bool descending, rt_tensor *indices) {
  try { return with_indices(at::sort(T(a), dim, descending), indices); }
  RT_CATCH(nullptr)
}
rt_tensor rt_topk(rt_tensor a, int64_t k, int64_t dim, bool largest, rt_tensor *indices) {
  try { return with_indices(at::topk(T(a), k, dim, largest, /*sorted=*/true), indices); }
  RT_CATCH(nullptr)
}
rt_tensor rt_argmax(rt_tensor a, int64_t dim, bool keepdim) { RT_TENSOR(at::argmax(T(a), dim, keepdim)) }
rt_tensor rt_cumsum(rt_tensor a, int64_t dim) { RT_TENSOR(at::cumsum(T(a), dim)) }

// ---- shape and indexing -----------------------------------------------------------------

rt_tensor rt_reshape(rt_tensor a, const int64_t *shape, int n) { RT_TENSOR(T(a).reshape(dims(shape, n))) }
rt_tensor rt_view(rt_tensor a, const int64_t *shape, int n) { RT_TENSOR(T(a).view(dims(shape, n))) }
rt_tensor rt_expand(rt_tensor a, const int64_t *shape, int n) { RT_TENSOR(T(a).expand(dims(shape, n))) }
rt_tensor rt_permute(rt_tensor a, const int64_t *d, int n) { RT_TENSOR(T(a).permute(dims(d, n))) }
rt_tensor rt_transpose(rt_tensor a, int64_t d0, int64_t d1) { RT_TENSOR(T(a).transpose(d0, d1)) }
rt_tensor rt_unsqueeze(rt_tensor a, int64_t dim) { RT_TENSOR(T(a).unsqueeze(dim)) }
rt_tensor rt_squeeze(rt_tensor a, int64_t dim) { RT_TENSOR(T(a).squeeze(dim)) }
rt_tensor rt_flatten(rt_tensor a, int64_t start, int64_t end) { RT_TENSOR(T(a).flatten(start, end)) }
rt_tensor rt_slice(rt_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  RT_TENSOR(T(a).slice(dim, start, end, step))
}
rt_tensor rt_select(rt_tensor a, int64_t dim, int64_t index) { RT_TENSOR(T(a).select(dim, index)) }
rt_tensor rt_cat(const rt_tensor *ts, int count, int64_t dim) { RT_TENSOR(at::cat(tensor_list(ts, count), dim)) }
rt_tensor rt_stack(const rt_tensor *ts, int count, int64_t dim) { RT_TENSOR(at::stack(tensor_list(ts, count), dim)) }
rt_tensor rt_repeat_interleave(rt_tensor a, int64_t repeats, int64_t dim) {
  RT_TENSOR(at::repeat_interleave(T(a), repeats, dim))
}
rt_tensor rt_index_select(rt_tensor a, int64_t dim, rt_tensor index) { RT_TENSOR(at::index_select(T(a), dim, T(index))) }
rt_tensor rt_gather(rt_tensor a, int64_t dim, rt_tensor index) { RT_TENSOR(at::gather(T(a), dim, T(index))) }
rt_tensor rt_scatter(rt_tensor a, int64_t dim, rt_tensor index, rt_tensor src) {
  RT_TENSOR(at::scatter(T(a), dim, T(index), T(src)))
}
rt_tensor rt_scatter_add(rt_tensor a, int64_t dim, rt_tensor index, rt_tensor src) {
  RT_TENSOR(at::scatter_add(T(a), dim, T(index), T(src)))
}
rt_tensor rt_masked_fill(rt_tensor a, rt_tensor mask, double value) { RT_TENSOR(at::masked_fill(T(a), T(mask), value)) }
rt_tensor rt_tril(rt_tensor a, int64_t diagonal) { RT_TENSOR(at::tril(T(a), diagonal)) }
rt_tensor rt_triu(rt_tensor a, int64_t diagonal) { RT_TENSOR(at::triu(T(a), diagonal)) }

// ---- neural-network functions -----------------------------------------------------------

rt_tensor rt_embedding(rt_tensor weight, rt_tensor indices) { RT_TENSOR(at::embedding(T(weight), T(indices))) }
rt_tensor rt_linear(rt_tensor x, rt_tensor weight, rt_tensor bias) {
  try {
    return wrap(rlrun::linear(T(x), T(weight), optional_tensor(bias)));
  }
  RT_CATCH(nullptr)
}
rt_tensor rt_rms_norm(rt_tensor x, rt_tensor weight, double eps) {
  RT_TENSOR(rlrun::rms_norm(T(x), optional_tensor(weight), eps))
}
rt_tensor rt_rotary_embedding(rt_tensor x, rt_tensor cos, rt_tensor sin) {
  RT_TENSOR(rlrun::rotary_embedding(T(x), T(cos), T(sin)))
}
rt_tensor rt_softmax(rt_tensor a, int64_t dim) { RT_TENSOR(at::softmax(T(a), dim)) }
rt_tensor rt_log_softmax(rt_tensor a, int64_t dim) { RT_TENSOR(at::log_softmax(T(a), dim)) }

rt_tensor rt_cross_entropy(rt_tensor logits, rt_tensor targets, int64_t ignore_index, int reduction,
                           double label_smoothing) {
  RT_TENSOR(at::cross_entropy_loss(T(logits), T(targets), {}, reduction, ignore_index, label_smoothing))
}

rt_tensor rt_scaled_dot_product_attention(rt_tensor q, rt_tensor k, rt_tensor v, rt_tensor mask,
                                          bool causal, double scale) {
  if (decode_attention_applies(T(q), T(k), T(v), optional_tensor(mask), causal)) {
    RT_TENSOR(decode_attention(T(q), T(k), T(v), optional_tensor(mask), scale))
  }
  RT_TENSOR(at::scaled_dot_product_attention(
      T(q), T(k), T(v), optional_tensor(mask), 0.0, causal,
      scale > 0 ? std::optional<double>(scale) : std::nullopt,
      /*enable_gqa=*/T(q).size(-3) != T(k).size(-3)))
}

rt_tensor rt_token_logprobs(rt_tensor logits, rt_tensor targets) {
  try {
    auto x = T(logits).to(at::kFloat);
    auto picked = x.gather(-1, T(targets).unsqueeze(-1)).squeeze(-1);
    return wrap(picked - at::logsumexp(x, {-1}, /*keepdim=*/false));
  }
  RT_CATCH(nullptr)
}

rt_tensor rt_token_entropy(rt_tensor logits) {
  try {
    auto x = T(logits).to(at::kFloat);
    auto lse = at::logsumexp(x, {-1}, /*keepdim=*/true);
    // H = -sum p log p = lse - sum p x, with p = exp(x - lse).
    auto expected_logit = (at::exp(x - lse) * x).sum(-1);
    return wrap(lse.squeeze(-1) - expected_logit);
  }
  RT_CATCH(nullptr)
}

}  // extern "C"
