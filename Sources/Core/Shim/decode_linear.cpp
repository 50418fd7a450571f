// y = x Wᵀ + b for the few rows a decoding step multiplies by every weight.
//
// While generating, each step multiplies 1-128 rows (the batch still decoding) by every weight
// of the model. At one to a few rows the step is bound by reading the weights, and MKL's
// sgemv/sgemm reach about half of the memory bandwidth there (re-packing the weights on every
// call): the small benchmark shape's 57 weights took 7.7 ms for one row and 16.5 ms for eight
// through at::linear (torch 2.15, 2 cores), 4.1 and 4.8 ms here. Up to 128 rows this kernel
// still beats sgemm on these skinny shapes (41.9 against 50.6 ms for 128 rows; the tiny
// shape: 3.7 against 6.1 ms). It streams each weight row once against tiles of eight rows of
// x held in L1, in AVX2 registers, and reuses a block of weight rows from L2 for every tile.
// bfloat16 weights are widened to float32 as they are loaded: half the bytes to read, and no
// use of this CPU's bf16 matmul fallback (0.3-1.4 GFLOP/s without avx512_bf16). Anything it
// does not cover (autograd, autocast, other dtypes or devices, more rows, a CPU
// without AVX2 and FMA) goes to at::linear.
#include "shim_internal.h"
#include "rlrun_torch.h"
#include <algorithm>
#include <atomic>
#include <cstring>
#include <type_traits>
#include <vector>
#include "parallel_for.h"
#include <ATen/autocast_mode.h>
#include <c10/core/GradMode.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace rlrun {
namespace {

constexpr int64_t kMaxRows = 128;  // measured against MKL up to 128 rows; beyond, sgemm's blocking wins
constexpr int kTile = 8;          // rows of x multiplied per pass over a weight row
constexpr int64_t kBlock = 32;    // weight rows (at most 128 KB at 1024 inputs) every tile reuses

#if defined(__x86_64__)
__attribute__((target("avx2,fma"))) inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_hadd_ps(s, s);
  s = _mm_hadd_ps(s, s);
  return _mm_cvtss_f32(s);
}

// Lane r of the result is the sum of v[r]'s lanes: eight sums in 8 adds instead of 8 × 4.
__attribute__((target("avx2,fma"))) inline __m256 horizontal_sums(const __m256 *v) {
  const __m256 pairs01 = _mm256_hadd_ps(v[0], v[1]), pairs23 = _mm256_hadd_ps(v[2], v[3]);
  const __m256 pairs45 = _mm256_hadd_ps(v[4], v[5]), pairs67 = _mm256_hadd_ps(v[6], v[7]);
  const __m256 low = _mm256_hadd_ps(pairs01, pairs23), high = _mm256_hadd_ps(pairs45, pairs67);
  return _mm256_add_ps(_mm256_permute2f128_ps(low, high, 0x20), _mm256_permute2f128_ps(low, high, 0x31));
}

// Eight weights as float32: a float32 row as it is, a bfloat16 row (the top half of a float32)
// widened and shifted, so bf16 weights cost half the memory traffic and no precision in the sums.
__attribute__((target("avx2,fma"))) inline __m256 load8(const float *p) { return _mm256_loadu_ps(p); }
__attribute__((target("avx2,fma"))) inline __m256 load8(const uint16_t *p) {
  const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
  return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}
inline float to_float(float v) { return v; }
inline float to_float(uint16_t v) {
  const uint32_t bits = static_cast<uint32_t>(v) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// Outputs [first, last) for `Rows` (≤ kTile) rows of x starting at x, each `in` long.
template <int Rows, typename Weight>
__attribute__((target("avx2,fma"))) void tile(const float *x, const Weight *w, const float *bias, float *y, int64_t in,
                                                int64_t out, int64_t first, int64_t last) {
  for (int64_t o = first; o < last; o++) {
    const Weight *row = w + o * in;
    __m256 acc[Rows];
    for (int r = 0; r < Rows; r++) acc[r] = _mm256_setzero_ps();
    int64_t i = 0;
    if constexpr (std::is_same_v<Weight, uint16_t>) {
      // 16 bf16 weights a load, widened by interleaving with zeros: one shuffle per 8 weights
      // instead of two (`rlrun bench engine` compares this loop's GB/s with a plain read).
      // x comes in the order the interleave leaves the weights in (see interleave_like_bf16).
      // Up to 4 rows, a second chain per row so FMA latency cannot bound the stream.
      constexpr bool kTwoChains = Rows <= 4;
      __m256 second[kTwoChains ? Rows : 1];
      for (auto &v : second) v = _mm256_setzero_ps();
      const __m256i zero = _mm256_setzero_si256();
      for (; i + 16 <= in; i += 16) {
        // As for float32 below: bf16 weights under float32 compute, Qwen2.5-0.5B shape, batch 8:
        // 49.1-54.2 against 39.6-40.9 tokens/s.
        if constexpr (Rows > 1) _mm_prefetch(reinterpret_cast<const char *>(row + i) + 2048, _MM_HINT_T0);
        const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(row + i));
        const __m256 low = _mm256_castsi256_ps(_mm256_unpacklo_epi16(zero, packed));
        const __m256 high = _mm256_castsi256_ps(_mm256_unpackhi_epi16(zero, packed));
        for (int r = 0; r < Rows; r++) {
          acc[r] = _mm256_fmadd_ps(low, _mm256_loadu_ps(x + r * in + i), acc[r]);
          if constexpr (kTwoChains) {
            second[r] = _mm256_fmadd_ps(high, _mm256_loadu_ps(x + r * in + i + 8), second[r]);
          } else {
            acc[r] = _mm256_fmadd_ps(high, _mm256_loadu_ps(x + r * in + i + 8), acc[r]);
          }
        }
      }
      if constexpr (kTwoChains) {
        for (int r = 0; r < Rows; r++) acc[r] = _mm256_add_ps(acc[r], second[r]);
      }
    }
    for (; i + 8 <= in; i += 8) {
      // With several rows of x the hardware prefetcher falls behind the weight stream; asking
      // 2 KB ahead measured 37.6 against 31.8 tokens/s (Qwen2.5-0.5B shape, batch 8, medians
      // of three) and 813-848 against 612-684 on the small shape.
      if constexpr (Rows > 1) _mm_prefetch(reinterpret_cast<const char *>(row + i) + 2048, _MM_HINT_T0);
      __m256 weights = load8(row + i);
      for (int r = 0; r < Rows; r++) acc[r] = _mm256_fmadd_ps(weights, _mm256_loadu_ps(x + r * in + i), acc[r]);
    }
    float sums[Rows];
    if constexpr (Rows == 8) {
      _mm256_storeu_ps(sums, horizontal_sums(acc));
    } else {
      for (int r = 0; r < Rows; r++) sums[r] = horizontal_sum(acc[r]);
    }
    for (int r = 0; r < Rows; r++) {
      float sum = sums[r];
      for (int64_t j = i; j < in; j++) sum += to_float(row[j]) * x[r * in + j];
      y[r * out + o] = sum + (bias ? bias[o] : 0.0f);
    }
  }
}

template <typename Weight>
using TileFunction = void (*)(const float *, const Weight *, const float *, float *, int64_t, int64_t, int64_t, int64_t);
template <typename Weight>
constexpr TileFunction<Weight> kTiles[kTile] = {tile<1, Weight>, tile<2, Weight>, tile<3, Weight>, tile<4, Weight>,
                                                tile<5, Weight>, tile<6, Weight>, tile<7, Weight>, tile<8, Weight>};

// x with each full block of 16 inputs reordered as [0-3, 8-11, 4-7, 12-15]: the order in which
// unpacklo/unpackhi_epi16 leave 16 bf16 weights (each 128-bit lane interleaves its own half).
// The inputs after the last full block stay in place.
std::vector<float> interleave_like_bf16(const float *x, int64_t rows, int64_t in) {
  std::vector<float> reordered(x, x + rows * in);
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t i = 0; i + 16 <= in; i += 16) {
      const float *from = x + r * in + i;
      float *to = reordered.data() + r * in + i;
      for (int k = 0; k < 4; k++) {
        to[k] = from[k];
        to[4 + k] = from[8 + k];
        to[8 + k] = from[4 + k];
        to[12 + k] = from[12 + k];
      }
    }
  }
  return reordered;
}

// x (float32, contiguous [rows, in]) times every row of w, into y (float32 [rows, out]).
template <typename Weight>
void multiply(const float *xs, const Weight *ws, const float *bs, float *ys, int64_t rows, int64_t in, int64_t out) {
  std::vector<float> reordered;
  if constexpr (std::is_same_v<Weight, uint16_t>) {
    reordered = interleave_like_bf16(xs, rows, in);
    xs = reordered.data();
  }
  // Enough weight rows per task that a task reads ~128 KB: fewer tasks for small layers.
  const int64_t grain = std::max<int64_t>(1, 32768 / in);
  parallel_for_dynamic(0, out, grain, [&](int64_t first, int64_t last) {
    // Every tile of rows passes over a block of weight rows while it is still in L2.
    for (int64_t block = first; block < last; block += kBlock) {
      const int64_t end = std::min(last, block + kBlock);
      for (int64_t r = 0; r < rows; r += kTile) {
        const int64_t count = std::min<int64_t>(kTile, rows - r);
        kTiles<Weight>[count - 1](xs + r * in, ws, bs, ys + r * out, in, out, block, end);
      }
    }
  });
}

bool cpu_has_avx2_fma() {
  static const bool supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return supported;
}
bool cpu_has_native_bf16() {
  static const bool supported = __builtin_cpu_supports("avx512bf16") || __builtin_cpu_supports("amx-bf16");
  return supported;
}
bool cpu_has_avx512f() {
  static const bool supported = __builtin_cpu_supports("avx512f");
  return supported;
}
#else
bool cpu_has_avx2_fma() { return false; }
bool cpu_has_native_bf16() { return false; }
bool cpu_has_avx512f() { return false; }
#endif

// The switches below hold for the thread that sets them only: tests flip them while other
// suites compute in parallel, and a linear layer that changed kernels under one of those
// would change its sums in the last bit (a resume-exactly test failed so, now and then).
thread_local bool enabled = true;
thread_local int64_t row_limit = 0;  // 0: the CPU's own limit

// Rows up to which the kernel runs. On an AVX-512 CPU MKL's sgemm works in vectors twice as
// wide as the kernel's, and from a few dozen rows on it wins: the small shape's 64-row
// decoding steps (`rlrun bench train`) took 1.6 s a generation through sgemm against 2.7 s
// here, and `rlrun bench model` at batch 32 measured the two alike. So 32 there, 128 elsewhere.
int64_t max_rows() {
  const int64_t set = row_limit;
  if (set > 0) return set;
  return cpu_has_avx512f() ? 32 : kMaxRows;
}

bool needs_autograd(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias) {
  if (!c10::GradMode::is_enabled()) return false;
  return x.requires_grad() || w.requires_grad() || (bias && bias->requires_grad());
}

}  // namespace

bool decode_linear_applies(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias) {
  if (!enabled || !cpu_has_avx2_fma() || x.dim() < 1 || w.dim() != 2) return false;
  // float32 or bfloat16 weights; x as the weights (as at::linear requires), or float32 x over
  // bf16 weights kept in their checkpoint's dtype. bf16 is widened on the fly.
  const auto type = w.scalar_type(), input = x.scalar_type();
  if (!x.device().is_cpu() || !w.device().is_cpu() || (type != at::kFloat && type != at::kBFloat16) ||
      (input != type && !(input == at::kFloat && type == at::kBFloat16)))
    return false;
  if (!w.is_contiguous() || x.size(-1) != w.size(1) || x.numel() == 0) return false;
  if (bias && (bias->scalar_type() != input || bias->dim() != 1 || bias->size(0) != w.size(0) || !bias->device().is_cpu()))
    return false;
  if (needs_autograd(x, w, bias) || at::autocast::is_autocast_enabled(at::kCPU)) return false;  // autocast: bf16 asked for
  // bf16 beyond max_rows() too where libtorch's bf16 matmul is a slow fallback (no avx512_bf16).
  return x.numel() / x.size(-1) <= max_rows() || (type == at::kBFloat16 && !cpu_has_native_bf16());
}

at::Tensor linear(const at::Tensor &x, const at::Tensor &w, const std::optional<at::Tensor> &bias) {
  if (decode_linear_applies(x, w, bias)) return decode_linear(x, w, bias);
  // A weight kept in another dtype than x's (bf16 under float32 compute) takes x's for this call
  // only: a frozen one through a node that widens it again in backward, a trained one by autograd.
  const auto type = x.scalar_type();
  if (w.scalar_type() != type && at::isFloatingType(type) && at::isFloatingType(w.scalar_type())) {
    if (!w.requires_grad()) return widened_linear(x, w, bias);
    return at::linear(x, w.to(type), bias ? std::optional<at::Tensor>(bias->to(type)) : std::nullopt);
  }
  if (onednn_linear_applies(x, w, bias)) return onednn_linear(x, w, bias);
  return at::linear(x, w, bias);
}

at::Tensor decode_linear(const at::Tensor &input, const at::Tensor &w, const std::optional<at::Tensor> &bias) {
#if defined(__x86_64__)
  const int64_t in = w.size(1), out = w.size(0);
  auto x = input.to(at::kFloat).contiguous();
  auto b = bias ? bias->to(at::kFloat).contiguous() : at::Tensor();
  const int64_t rows = x.numel() / in;
  auto shape = input.sizes().vec();
  shape.back() = out;
  auto y = at::empty(shape, x.options());
  const float *xs = x.data_ptr<float>(), *bs = b.defined() ? b.data_ptr<float>() : nullptr;
  float *ys = y.data_ptr<float>();
  if (w.scalar_type() == at::kFloat) {
    multiply(xs, w.data_ptr<float>(), bs, ys, rows, in, out);
    return y;
  }
  multiply(xs, reinterpret_cast<const uint16_t *>(w.data_ptr<at::BFloat16>()), bs, ys, rows, in, out);
  return y.to(input.scalar_type());  // bf16 x: rounded once, as libtorch's bf16 linear rounds its f32 sums
#else
  return at::linear(input, w, bias);
#endif
}

}  // namespace rlrun

extern "C" bool rt_decode_linear_applies(rt_tensor x, rt_tensor w, rt_tensor bias) {
  return rlrun::decode_linear_applies(rlrun::T(x), rlrun::T(w), rlrun::optional_tensor(bias));
}
extern "C" void rt_set_decode_linear_enabled(bool on) { rlrun::enabled = on; }
extern "C" void rt_set_decode_linear_max_rows(int64_t rows) {
  rlrun::row_limit = std::clamp<int64_t>(rows, 0, rlrun::kMaxRows);
}
extern "C" int64_t rt_decode_linear_max_rows() { return rlrun::max_rows(); }
