// Attention of one new token per row over its cached keys (a decoding step): float32 on the
// CPU, no autograd, head widths a multiple of 8.
//
// libtorch's CPU attention multiplies each (row, head) through a gemm call of a single query
// row, which MKL runs as its generic sgemv on a few dozen floats: in the built-in policy's
// rollouts that was 28% of the profile, at about 4 GFLOP/s. Here each (row, kv head) is one task
// that reads its keys and values once for all the query heads of its group, with 8-wide FMAs,
// four keys per horizontal sum and a vectorised exp (measured 3-5x faster than
// at::scaled_dot_product_attention on one thread: 128 rows, 4 heads over 2, 100 keys of 40
// floats, 0.29-0.50 ms against 1.0-2.0 ms).
#include "shim_internal.h"
#include "parallel_for.h"
#include <c10/core/GradMode.h>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

thread_local bool enabled = true;  // a switch for tests and A/B runs, on the calling thread only

#if defined(__x86_64__)
#define AVX2 __attribute__((target("avx2,fma")))

// RLRUN_DECODE_ATTENTION=0 leaves every step to libtorch (for A/B runs).
bool cpu_supported() {
  static const bool supported = [] {
    const char *choice = std::getenv("RLRUN_DECODE_ATTENTION");
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && !(choice && std::strcmp(choice, "0") == 0);
  }();
  return supported;
}

// e^x for 8 floats (Cephes' expf polynomial, relative error ~2e-7); 0 below -87.
AVX2 inline __m256 exp8(__m256 x) {
  const __m256 tiny = _mm256_set1_ps(-87.0f);
  const __m256 keep = _mm256_cmp_ps(x, tiny, _CMP_GE_OQ);
  x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f)), tiny);
  __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  const __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127)), 23);
  return _mm256_and_ps(_mm256_mul_ps(y, _mm256_castsi256_ps(exponent)), keep);
}
// The four sums of a, b, c, d's lanes.
AVX2 inline __m128 sum4(__m256 a, __m256 b, __m256 c, __m256 d) {
  const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(a, b), _mm256_hadd_ps(c, d));
  return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}
AVX2 inline float sum1(__m256 a) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  h = _mm_hadd_ps(h, h);
  return _mm_cvtss_f32(_mm_hadd_ps(h, h));
}

// out[g][offset ..< offset + 8·NC] = inverse[g] · Σ_t weights[g][t] · v_t over NC chunks of 8 floats.
template <int NQ, int NC>
AVX2 inline void weigh_values(const float *weights, int64_t padded, const float *v, int64_t v_stride, int64_t keys,
                                   const float *inverse, float *const *out, int64_t offset) {
  __m256 acc[NQ][NC];
  for (int g = 0; g < NQ; g++)
    for (int j = 0; j < NC; j++) acc[g][j] = _mm256_setzero_ps();
  for (int64_t t = 0; t < keys; t++) {
    __m256 vv[NC];
    for (int j = 0; j < NC; j++) vv[j] = _mm256_loadu_ps(v + t * v_stride + 8 * j);
    for (int g = 0; g < NQ; g++) {
      const __m256 p = _mm256_broadcast_ss(weights + g * padded + t);
      for (int j = 0; j < NC; j++) acc[g][j] = _mm256_fmadd_ps(p, vv[j], acc[g][j]);
    }
  }
  for (int g = 0; g < NQ; g++)
    for (int j = 0; j < NC; j++) _mm256_storeu_ps(out[g] + offset + 8 * j, _mm256_mul_ps(acc[g][j], _mm256_set1_ps(inverse[g])));
}

// One kv head of one row: NQ query heads over `keys` keys of `width` floats (a multiple of 8).
// scores: scratch of NQ * padded keys.
template <int NQ>
AVX2 void attend(const float *const *q, const float *k, int64_t k_stride, const float *v, int64_t v_stride,
                      const bool *allowed, int64_t mask_stride, int64_t keys, int64_t width, float factor,
                      float *scores, int64_t padded, float *const *out) {
  const int64_t chunks = width / 8;
  int64_t s = 0;
  for (; s + 4 <= keys; s += 4) {
    __m256 acc[NQ][4];
    for (int g = 0; g < NQ; g++)
      for (int j = 0; j < 4; j++) acc[g][j] = _mm256_setzero_ps();
    for (int64_t c = 0; c < chunks; c++) {
      __m256 kk[4];
      for (int j = 0; j < 4; j++) kk[j] = _mm256_loadu_ps(k + (s + j) * k_stride + 8 * c);
      for (int g = 0; g < NQ; g++) {
        const __m256 qq = _mm256_loadu_ps(q[g] + 8 * c);
        for (int j = 0; j < 4; j++) acc[g][j] = _mm256_fmadd_ps(qq, kk[j], acc[g][j]);
      }
    }
    for (int g = 0; g < NQ; g++)
      _mm_storeu_ps(scores + g * padded + s, _mm_mul_ps(sum4(acc[g][0], acc[g][1], acc[g][2], acc[g][3]), _mm_set1_ps(factor)));
  }
  for (; s < keys; s++)
    for (int g = 0; g < NQ; g++) {
      __m256 acc = _mm256_setzero_ps();
      for (int64_t c = 0; c < chunks; c++) acc = _mm256_fmadd_ps(_mm256_loadu_ps(q[g] + 8 * c), _mm256_loadu_ps(k + s * k_stride + 8 * c), acc);
      scores[g * padded + s] = factor * sum1(acc);
    }
  if (allowed)
    for (int64_t t = 0; t < keys; t++)
      if (!allowed[t * mask_stride])
        for (int g = 0; g < NQ; g++) scores[g * padded + t] = -INFINITY;
  // Softmax weights, unnormalised, with the padding lanes after `keys` at 0.
  float inverse[NQ];
  for (int g = 0; g < NQ; g++) {
    float *row = scores + g * padded;
    for (int64_t t = keys; t < padded; t++) row[t] = -INFINITY;
    __m256 m = _mm256_set1_ps(-INFINITY);
    for (int64_t t = 0; t < padded; t += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(row + t));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    const float largest = _mm_cvtss_f32(h);
    if (largest == -INFINITY) { inverse[g] = NAN; for (int64_t t = 0; t < padded; t++) row[t] = 0; continue; }
    const __m256 shift = _mm256_set1_ps(largest);
    __m256 total = _mm256_setzero_ps();
    for (int64_t t = 0; t < padded; t += 8) {
      const __m256 p = exp8(_mm256_sub_ps(_mm256_loadu_ps(row + t), shift));
      _mm256_storeu_ps(row + t, p);
      total = _mm256_add_ps(total, p);
    }
    inverse[g] = 1.0f / sum1(total);
  }
  constexpr int NC = NQ <= 2 ? 4 : 2;
  int64_t c = 0;
  for (; c + NC <= chunks; c += NC) weigh_values<NQ, NC>(scores, padded, v + 8 * c, v_stride, keys, inverse, out, 8 * c);
  for (; c < chunks; c++) weigh_values<NQ, 1>(scores, padded, v + 8 * c, v_stride, keys, inverse, out, 8 * c);
}
#define ATTEND(n) attend<n>(queries, key, k.stride(2), value, v.stride(2), allowed, mask_key, keys, width, factor, scratch.data(), padded, outputs)

void run(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v, const std::optional<at::Tensor> &mask, float factor,
         at::Tensor &out) {
  const int64_t batch = q.size(0), heads = q.size(1), width = q.size(3), keys = k.size(2), kv_heads = k.size(1);
  const int64_t group = heads / kv_heads, padded = (keys + 7) / 8 * 8;
  const float *qs = q.data_ptr<float>(), *ks = k.data_ptr<float>(), *vs = v.data_ptr<float>();
  float *os = out.data_ptr<float>();
  const bool *ms = mask ? mask->data_ptr<bool>() : nullptr;
  const int64_t mask_batch = mask && mask->size(0) != 1 ? mask->stride(0) : 0, mask_key = mask ? mask->stride(3) : 0;
  // About 32 K multiply-adds a task.
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, 2 * group * keys * width));
  rlrun::parallel_for(0, batch * kv_heads, grain, [&](int64_t first_task, int64_t last_task) {
    std::vector<float> scratch(static_cast<size_t>(4 * padded));
    for (int64_t task = first_task; task < last_task; task++) {
      const int64_t b = task / kv_heads, kv = task % kv_heads;
      const float *key = ks + b * k.stride(0) + kv * k.stride(1), *value = vs + b * v.stride(0) + kv * v.stride(1);
      const bool *allowed = ms ? ms + b * mask_batch : nullptr;
      // Up to four query heads a pass, so that their accumulators stay in registers.
      for (int64_t first = 0; first < group; first += 4) {
        const int n = static_cast<int>(std::min<int64_t>(4, group - first));
        const float *queries[4];
        float *outputs[4];
        for (int g = 0; g < n; g++) {
          const int64_t h = kv * group + first + g;
          queries[g] = qs + b * q.stride(0) + h * q.stride(1);
          outputs[g] = os + (b * heads + h) * width;
        }
        switch (n) {
          case 1: ATTEND(1); break;
          case 2: ATTEND(2); break;
          case 3: ATTEND(3); break;
          default: ATTEND(4); break;
        }
      }
    }
  });
}
#undef ATTEND
#else
bool cpu_supported() { return false; }
void run(const at::Tensor &, const at::Tensor &, const at::Tensor &, const std::optional<at::Tensor> &, float, at::Tensor &) {}
#endif

bool contiguous_heads(const at::Tensor &t) { return t.stride(3) == 1; }

}  // namespace

namespace rlrun {

bool decode_attention_applies(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                              const std::optional<at::Tensor> &mask, bool causal) {
  if (!enabled || !cpu_supported() || causal || q.dim() != 4 || k.dim() != 4 || v.dim() != 4 || q.size(2) != 1) return false;
  for (const auto *t : {&q, &k, &v})
    if (t->scalar_type() != at::kFloat || !t->device().is_cpu() || !contiguous_heads(*t)) return false;
  const int64_t batch = q.size(0), heads = q.size(1), kv_heads = k.size(1), width = q.size(3), keys = k.size(2);
  if (width % 8 != 0 || k.size(0) != batch || v.size(0) != batch || v.size(1) != kv_heads || k.size(3) != width ||
      v.size(3) != width || v.size(2) != keys || keys == 0 || kv_heads == 0 || heads % kv_heads != 0)
    return false;
  if (mask) {
    // A key mask shared by the heads: [B or 1, 1, 1, keys] booleans.
    const auto &m = *mask;
    if (m.scalar_type() != at::kBool || m.dim() != 4 || !m.device().is_cpu() || m.size(1) != 1 || m.size(2) != 1 ||
        m.size(3) != keys || (m.size(0) != 1 && m.size(0) != batch))
      return false;
  }
  return !(c10::GradMode::is_enabled() && (q.requires_grad() || k.requires_grad() || v.requires_grad()));
}

at::Tensor decode_attention(const at::Tensor &q, const at::Tensor &k, const at::Tensor &v,
                            const std::optional<at::Tensor> &mask, double scale) {
  auto out = at::empty({q.size(0), q.size(1), 1, q.size(3)}, q.options());
  const double factor = scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(q.size(3)));
  run(q, k, v, mask, static_cast<float>(factor), out);
  return out;
}

}  // namespace rlrun

extern "C" void rt_set_decode_attention_enabled(bool on) { enabled = on; }
extern "C" bool rt_decode_attention_applies(rt_tensor q, rt_tensor k, rt_tensor v, rt_tensor mask) {
  return rlrun::decode_attention_applies(rlrun::T(q), rlrun::T(k), rlrun::T(v), rlrun::optional_tensor(mask), false);
}
