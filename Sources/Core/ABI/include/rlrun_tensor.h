/*
 * rlrun's tensor engine as a C function table: the surface an algorithm plugin computes with,
 * and the only way any Swift code of rlrun reaches libtorch.
 *
 * The host fills one `rt_api` table (libtorch through rlrun's shim) and hands it to every
 * plugin it creates (`rlrun_host.tensor`), so a plugin computes on the host's tensors with the
 * host's engine without linking libtorch itself.
 *
 * Ownership and errors (one rule for every entry):
 *  - `rt_tensor` and `rt_generator` are opaque handles. Every entry that returns a handle
 *    gives the caller a new reference, released with `free` / `generator_free`. Handles
 *    passed as arguments are borrowed: the callee neither keeps nor frees them.
 *  - An entry that fails returns NULL (handle results) or -1 (int results) and stores a
 *    message for the calling thread, read with `last_error` (valid until the next failure
 *    on that thread). C++ exceptions never cross this boundary.
 *  - Shapes and dimension lists are `const int64_t *` plus a count; scalars are doubles.
 *  - Entries are appended at the end only; `abi_version` rises when the table changes.
 */
#ifndef RLRUN_TENSOR_H
#define RLRUN_TENSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RT_API_VERSION 4

/* Function-pointer fields are never NULL; the marker tells Swift so. */
#if defined(__clang__)
#define RT_FN(name) (*_Nonnull name)
#else
#define RT_FN(name) (*name)
#endif

typedef struct rt_tensor_opaque *rt_tensor;
typedef struct rt_generator_opaque *rt_generator;
typedef struct rt_group_opaque *rt_group;

typedef enum {
  RT_F32 = 0, RT_BF16 = 1, RT_F16 = 2, RT_F64 = 3,
  RT_I64 = 4, RT_I32 = 5, RT_BOOL = 6, RT_U8 = 7
} rt_dtype;

typedef enum { RT_CPU = 0, RT_CUDA = 1 } rt_device_type;

typedef struct {
  int32_t dtype;        /* rt_dtype */
  int32_t device_type;  /* rt_device_type */
  int32_t device_index; /* -1 = current */
} rt_options;

#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wnullability-completeness"
#endif
typedef struct rt_api {
  uint32_t abi_version; /* RT_API_VERSION of the host that filled the table */
  uint32_t size;        /* sizeof(rt_api) of the host */

  /* ---- errors, runtime ---------------------------------------------------------------- */
  /* Message of the last failed call on this thread; valid until the next failing call. */
  const char * RT_FN(last_error)(void);
  const char * RT_FN(torch_version)(void);
  int RT_FN(set_num_threads)(int n);
  int RT_FN(get_num_threads)(void);
  /* Loads libtorch_cuda.so next to libtorch_cpu.so (once). 1 = CUDA usable, 0 = not (reason in
   * last_error). */
  int RT_FN(cuda_load)(void);
  int RT_FN(cuda_device_count)(void);
  int RT_FN(cuda_synchronize)(int device_index);

  /* ---- lifetime and inspection -------------------------------------------------------- */
  void RT_FN(free)(rt_tensor t);
  rt_tensor RT_FN(shallow_copy)(rt_tensor t); /* new handle, same storage and autograd identity */
  int RT_FN(ndim)(rt_tensor t);
  int RT_FN(shape)(rt_tensor t, int64_t *out, int capacity);
  int64_t RT_FN(numel)(rt_tensor t);
  int RT_FN(get_dtype)(rt_tensor t);
  int RT_FN(get_device)(rt_tensor t, int32_t *device_index);
  bool RT_FN(is_defined)(rt_tensor t);
  bool RT_FN(is_contiguous)(rt_tensor t);
  int RT_FN(item_double)(rt_tensor t, double *out);
  int RT_FN(item_int64)(rt_tensor t, int64_t *out);
  /* Copies the elements (converted to `dtype`, row-major) into `out` of `nbytes` bytes. */
  int RT_FN(copy_to_host)(rt_tensor t, int32_t dtype, void *out, size_t nbytes);

  /* ---- creation ----------------------------------------------------------------------- */
  /* Copies `data` (elements of opts.dtype, row-major). */
  rt_tensor RT_FN(from_data)(const void *data, const int64_t *shape, int ndim, rt_options opts);
  rt_tensor RT_FN(empty)(const int64_t *shape, int ndim, rt_options opts);
  rt_tensor RT_FN(zeros)(const int64_t *shape, int ndim, rt_options opts);
  rt_tensor RT_FN(ones)(const int64_t *shape, int ndim, rt_options opts);
  rt_tensor RT_FN(full)(const int64_t *shape, int ndim, double value, rt_options opts);
  rt_tensor RT_FN(arange)(double start, double end, double step, rt_options opts);
  rt_tensor RT_FN(randn)(const int64_t *shape, int ndim, rt_options opts, rt_generator gen);
  rt_tensor RT_FN(rand)(const int64_t *shape, int ndim, rt_options opts, rt_generator gen);
  rt_tensor RT_FN(randint)(int64_t low, int64_t high, const int64_t *shape, int ndim, rt_options opts, rt_generator gen);
  rt_tensor RT_FN(multinomial)(rt_tensor probs, int64_t samples, bool replacement, rt_generator gen);

  /* ---- random generators -------------------------------------------------------------- */
  rt_generator RT_FN(generator_new)(int32_t device_type, int32_t device_index, uint64_t seed);
  void RT_FN(generator_free)(rt_generator g);
  uint64_t RT_FN(generator_seed)(rt_generator g);
  rt_tensor RT_FN(generator_get_state)(rt_generator g); /* uint8 tensor */
  int RT_FN(generator_set_state)(rt_generator g, rt_tensor state);

  /* ---- conversion --------------------------------------------------------------------- */
  rt_tensor RT_FN(to)(rt_tensor t, rt_options opts);
  rt_tensor RT_FN(to_dtype)(rt_tensor t, int32_t dtype);
  rt_tensor RT_FN(clone)(rt_tensor t);
  rt_tensor RT_FN(contiguous)(rt_tensor t);

  /* ---- elementwise -------------------------------------------------------------------- */
  rt_tensor RT_FN(add)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(sub)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(mul)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(div)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(pow)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(maximum)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(minimum)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(eq)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(ne)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(lt)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(le)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(gt)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(ge)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(logical_and)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(logical_or)(rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(matmul)(rt_tensor a, rt_tensor b);

  rt_tensor RT_FN(add_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(sub_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(rsub_scalar)(rt_tensor a, double s); /* s - a */
  rt_tensor RT_FN(mul_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(div_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(rdiv_scalar)(rt_tensor a, double s); /* s / a */
  rt_tensor RT_FN(pow_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(eq_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(ne_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(lt_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(le_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(gt_scalar)(rt_tensor a, double s);
  rt_tensor RT_FN(ge_scalar)(rt_tensor a, double s);

  rt_tensor RT_FN(neg)(rt_tensor a);
  rt_tensor RT_FN(abs)(rt_tensor a);
  rt_tensor RT_FN(exp)(rt_tensor a);
  rt_tensor RT_FN(log)(rt_tensor a);
  rt_tensor RT_FN(log1p)(rt_tensor a);
  rt_tensor RT_FN(expm1)(rt_tensor a);
  rt_tensor RT_FN(sqrt)(rt_tensor a);
  rt_tensor RT_FN(rsqrt)(rt_tensor a);
  rt_tensor RT_FN(square)(rt_tensor a);
  rt_tensor RT_FN(sin)(rt_tensor a);
  rt_tensor RT_FN(cos)(rt_tensor a);
  rt_tensor RT_FN(tanh)(rt_tensor a);
  rt_tensor RT_FN(sigmoid)(rt_tensor a);
  rt_tensor RT_FN(relu)(rt_tensor a);
  rt_tensor RT_FN(silu)(rt_tensor a);
  rt_tensor RT_FN(gelu_tanh)(rt_tensor a);
  rt_tensor RT_FN(sign)(rt_tensor a);
  rt_tensor RT_FN(floor)(rt_tensor a);
  rt_tensor RT_FN(logical_not)(rt_tensor a);
  rt_tensor RT_FN(isnan)(rt_tensor a);
  rt_tensor RT_FN(isfinite)(rt_tensor a);

  rt_tensor RT_FN(where)(rt_tensor condition, rt_tensor a, rt_tensor b);
  rt_tensor RT_FN(clamp)(rt_tensor a, double min, double max, bool has_min, bool has_max);

  /* ---- reductions --------------------------------------------------------------------- */
  /* ndims == 0 reduces over all dimensions. */
  rt_tensor RT_FN(sum)(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
  rt_tensor RT_FN(mean)(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
  rt_tensor RT_FN(var)(rt_tensor a, const int64_t *dims, int ndims, double correction, bool keepdim);
  rt_tensor RT_FN(logsumexp)(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
  rt_tensor RT_FN(amax)(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
  rt_tensor RT_FN(amin)(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
  rt_tensor RT_FN(any)(rt_tensor a);
  rt_tensor RT_FN(all)(rt_tensor a);
  /* Values are returned, indices (int64) are stored in *indices (a new reference). */
  rt_tensor RT_FN(max_dim)(rt_tensor a, int64_t dim, bool keepdim, rt_tensor *indices);
  rt_tensor RT_FN(min_dim)(rt_tensor a, int64_t dim, bool keepdim, rt_tensor *indices);
  rt_tensor RT_FN(sort)(rt_tensor a, int64_t dim, bool descending, rt_tensor *indices);
  rt_tensor RT_FN(topk)(rt_tensor a, int64_t k, int64_t dim, bool largest, rt_tensor *indices);
  rt_tensor RT_FN(argmax)(rt_tensor a, int64_t dim, bool keepdim);
  rt_tensor RT_FN(cumsum)(rt_tensor a, int64_t dim);

  /* ---- shape and indexing ------------------------------------------------------------- */
  rt_tensor RT_FN(reshape)(rt_tensor a, const int64_t *shape, int ndim);
  rt_tensor RT_FN(view)(rt_tensor a, const int64_t *shape, int ndim);
  rt_tensor RT_FN(expand)(rt_tensor a, const int64_t *shape, int ndim);
  rt_tensor RT_FN(permute)(rt_tensor a, const int64_t *dims, int ndims);
  rt_tensor RT_FN(transpose)(rt_tensor a, int64_t dim0, int64_t dim1);
  rt_tensor RT_FN(unsqueeze)(rt_tensor a, int64_t dim);
  rt_tensor RT_FN(squeeze)(rt_tensor a, int64_t dim);
  rt_tensor RT_FN(flatten)(rt_tensor a, int64_t start_dim, int64_t end_dim);
  rt_tensor RT_FN(slice)(rt_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step);
  rt_tensor RT_FN(select)(rt_tensor a, int64_t dim, int64_t index);
  rt_tensor RT_FN(cat)(const rt_tensor *tensors, int count, int64_t dim);
  rt_tensor RT_FN(stack)(const rt_tensor *tensors, int count, int64_t dim);
  rt_tensor RT_FN(repeat_interleave)(rt_tensor a, int64_t repeats, int64_t dim);
  rt_tensor RT_FN(index_select)(rt_tensor a, int64_t dim, rt_tensor index);
  rt_tensor RT_FN(gather)(rt_tensor a, int64_t dim, rt_tensor index);
  rt_tensor RT_FN(scatter)(rt_tensor a, int64_t dim, rt_tensor index, rt_tensor src);
  rt_tensor RT_FN(scatter_add)(rt_tensor a, int64_t dim, rt_tensor index, rt_tensor src);
  rt_tensor RT_FN(masked_fill)(rt_tensor a, rt_tensor mask, double value);
  rt_tensor RT_FN(tril)(rt_tensor a, int64_t diagonal);
  rt_tensor RT_FN(triu)(rt_tensor a, int64_t diagonal);

  /* ---- neural-network functions ------------------------------------------------------- */
  rt_tensor RT_FN(embedding)(rt_tensor weight, rt_tensor indices);
  rt_tensor RT_FN(linear)(rt_tensor x, rt_tensor weight, rt_tensor bias /* nullable */);
  rt_tensor RT_FN(rms_norm)(rt_tensor x, rt_tensor weight /* nullable */, double eps);
  rt_tensor RT_FN(softmax)(rt_tensor a, int64_t dim);
  rt_tensor RT_FN(log_softmax)(rt_tensor a, int64_t dim);
  /* reduction: 0 none, 1 mean, 2 sum. */
  rt_tensor RT_FN(cross_entropy)(rt_tensor logits, rt_tensor targets, int64_t ignore_index, int reduction, double label_smoothing);
  /* q [B,H,L,D], k/v [B,Hkv,S,D]; H % Hkv == 0 (grouped-query attention); mask is boolean
   * (true = attend) or additive float, broadcastable to [B,H,L,S]; scale <= 0 means 1/sqrt(D). */
  rt_tensor RT_FN(scaled_dot_product_attention)(rt_tensor q, rt_tensor k, rt_tensor v, rt_tensor mask /* nullable */, bool causal, double scale);
  /* log p(targets) = logits[..., target] - logsumexp(logits): no [.., V] log-prob tensor is
   * kept for the backward pass. logits [..., V] (computed in float32), targets [...] int64. */
  rt_tensor RT_FN(token_logprobs)(rt_tensor logits, rt_tensor targets);
  /* Entropy of softmax(logits) over the last dimension, in float32. */
  rt_tensor RT_FN(token_entropy)(rt_tensor logits);

  /* ---- autograd ----------------------------------------------------------------------- */
  int RT_FN(set_requires_grad)(rt_tensor t, bool requires_grad);
  bool RT_FN(requires_grad)(rt_tensor t);
  /* NULL without error when the tensor has no gradient. */
  rt_tensor RT_FN(grad)(rt_tensor t);
  int RT_FN(zero_grad)(rt_tensor t); /* drops the gradient */
  int RT_FN(backward)(rt_tensor t, rt_tensor gradient /* nullable */, bool retain_graph);
  rt_tensor RT_FN(detach)(rt_tensor t);
  bool RT_FN(grad_enabled)(void);
  void RT_FN(set_grad_enabled)(bool enabled);

  /* ---- in place ----------------------------------------------------------------------- */
  int RT_FN(copy_)(rt_tensor dst, rt_tensor src);
  int RT_FN(add_)(rt_tensor t, rt_tensor other, double alpha);
  int RT_FN(mul_scalar_)(rt_tensor t, double s);
  int RT_FN(fill_)(rt_tensor t, double value);

  /* ---- optimisation ------------------------------------------------------------------- */
  /* One fused AdamW step over `count` parameters with their gradients and moment buffers;
   * `steps` are float32 scalar tensors holding the number of updates done so far; each is
   * incremented before the update, as torch.optim.AdamW does. */
  int RT_FN(adamw_step)(const rt_tensor *params, const rt_tensor *grads, const rt_tensor *exp_avgs, const rt_tensor *exp_avg_sqs, const rt_tensor *steps, int count, double lr, double beta1, double beta2, double weight_decay, double eps);
  /* Global L2 norm of the gradients of `params` (those that have one); if it exceeds max_norm
   * the gradients are scaled by max_norm / (norm + 1e-6). Returns the norm before clipping in
   * *total_norm. max_norm <= 0 only measures. */
  int RT_FN(clip_grad_norm)(const rt_tensor *params, int count, double max_norm, double *total_norm);

  /* ---- benchmarks --------------------------------------------------------------------- */
  /* Nanoseconds per call of at::add(a, b) in a C++ loop of `iterations` calls. */
  double RT_FN(bench_add_loop)(rt_tensor a, rt_tensor b, int64_t iterations);

  /* ---- data-parallel communication (c10d; version 2) -------------------------------- */
  /* A process group of `world_size` ranks meeting at host:port (rank 0 serves the TCP store
   * there); backend "gloo". Connecting and every later collective fail after timeout_ms. */
  rt_group RT_FN(group_new)(const char *backend, const char *host, int port, int rank, int world_size, int64_t timeout_ms);
  void RT_FN(group_free)(rt_group g);
  /* In place over every rank; op 0 sum, 1 max, 2 min; tensors travel in flat buckets of at
   * most bucket_bytes (<= 0: one bucket per dtype run). */
  int RT_FN(group_allreduce)(rt_group g, const rt_tensor *tensors, int count, int op, int64_t bucket_bytes);
  /* Sums the gradients of `params` over every rank, bucketed; a parameter that has a gradient
   * on some rank gets one (zeros) where it had none, one with none anywhere keeps none. */
  int RT_FN(group_allreduce_grads)(rt_group g, const rt_tensor *params, int count, int64_t bucket_bytes);
  /* In place: every rank receives root's values. */
  int RT_FN(group_broadcast)(rt_group g, const rt_tensor *tensors, int count, int root, int64_t bucket_bytes);
  int RT_FN(group_barrier)(rt_group g);
  /* The rendezvous store, for one-off signals between ranks (e.g. "rank 0 has prepared"). */
  int RT_FN(group_store_set)(rt_group g, const char *key, const uint8_t *value, int64_t length);
  int RT_FN(group_store_wait)(rt_group g, const char *key, int64_t timeout_ms);

  /* ---- 4-bit weights (version 2) ----------------------------------------------------- */
  /* x·Wᵀ for W [outputs, inputs] stored as NF4: `codes` uint8 (two per byte), `absmax` [blocks]
   * float32, `level_pairs` [256, 2] the two levels of each byte. Differentiable in x only; the
   * backward pass dequantizes W again instead of keeping it. */
  rt_tensor RT_FN(nf4_linear)(rt_tensor x, rt_tensor codes, rt_tensor absmax, rt_tensor level_pairs, int64_t block_size, int64_t outputs, int64_t inputs);

  /* ---- mixed precision (version 2) ---------------------------------------------------- */
  /* libtorch's autocast on this thread for a device type: matmuls and linears run in `dtype`
   * (bf16 or f16) while the weights stay as they are and precision-sensitive ops stay f32.
   * Returns 1 if it was enabled before, 0 if not, -1 on failure; turning it off clears its
   * cache of cast weights. */
  int RT_FN(set_autocast)(int32_t device_type, bool enabled, int32_t dtype);

  /* ---- rotary embedding (version 3) ----------------------------------------------------- */
  /* x·cos + rotate_half(x)·sin over the last dimension (rotate_half(x) = cat(−x₂, x₁), the
   * layout of Hugging Face's Llama and Qwen2); cos and sin broadcast to x. Differentiable. */
  rt_tensor RT_FN(rotary_embedding)(rt_tensor x, rt_tensor cos, rt_tensor sin);

  /* ---- sampling (version 3) ------------------------------------------------------------ */
  /* One token per row of logits [B, V]: the first whose cumulative probability under
   * softmax(logits) reaches uniforms[b] (in (0, 1]); tokens of probability 0 are never
   * chosen. Returns int64 [B]; `log_probs` (nullable) receives log softmax(logits)[token]. */
  rt_tensor RT_FN(sample_inverse_cdf)(rt_tensor logits, rt_tensor uniforms, rt_tensor *log_probs);

  /* ---- data-parallel communication on GPUs (version 4) ---------------------------------- */
  /* `group_new` with the CUDA device of this rank: backend "nccl" reduces CUDA tensors with
   * NCCL on that device (Gloo keeps the CPU tensors and the store); "gloo" ignores the device
   * (pass -1). */
  rt_group RT_FN(group_new_on_device)(const char *backend, const char *host, int port, int rank, int world_size,
                                      int cuda_device, int64_t timeout_ms);
} rt_api;
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

#ifdef __cplusplus
}
#endif
#endif
