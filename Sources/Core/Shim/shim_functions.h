/*
 * The shim's functions, one per entry of `rt_api` (rlrun_tensor.h holds the contract: ownership,
 * errors, units). table.cpp gathers them into the table the engine and plugins call through.
 */
#ifndef RLRUN_SHIM_FUNCTIONS_H
#define RLRUN_SHIM_FUNCTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rlrun_tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors, runtime ---------------------------------------------------------------- */
/* Message of the last failed call on this thread; valid until the next failing call. */
const char *rt_last_error(void);
const char *rt_torch_version(void);
int rt_set_num_threads(int n);
int rt_get_num_threads(void);
/* Loads libtorch_cuda.so next to libtorch_cpu.so (once). 1 = CUDA usable, 0 = not (reason in
 * rt_last_error). */
int rt_cuda_load(void);
int rt_cuda_device_count(void);
int rt_cuda_synchronize(int device_index);

/* ---- lifetime and inspection -------------------------------------------------------- */
void rt_free(rt_tensor t);
rt_tensor rt_shallow_copy(rt_tensor t); /* new handle, same storage and autograd identity */
int rt_ndim(rt_tensor t);
int rt_shape(rt_tensor t, int64_t *out, int capacity);
int64_t rt_numel(rt_tensor t);
int rt_get_dtype(rt_tensor t);
int rt_get_device(rt_tensor t, int32_t *device_index);
bool rt_is_defined(rt_tensor t);
bool rt_is_contiguous(rt_tensor t);
int rt_item_double(rt_tensor t, double *out);
int rt_item_int64(rt_tensor t, int64_t *out);
/* Copies the elements (converted to `dtype`, row-major) into `out` of `nbytes` bytes. */
int rt_copy_to_host(rt_tensor t, int32_t dtype, void *out, size_t nbytes);

/* ---- creation ----------------------------------------------------------------------- */
/* Copies `data` (elements of opts.dtype, row-major). */
rt_tensor rt_from_data(const void *data, const int64_t *shape, int ndim, rt_options opts);
rt_tensor rt_empty(const int64_t *shape, int ndim, rt_options opts);
rt_tensor rt_zeros(const int64_t *shape, int ndim, rt_options opts);
rt_tensor rt_ones(const int64_t *shape, int ndim, rt_options opts);
rt_tensor rt_full(const int64_t *shape, int ndim, double value, rt_options opts);
rt_tensor rt_arange(double start, double end, double step, rt_options opts);
rt_tensor rt_randn(const int64_t *shape, int ndim, rt_options opts, rt_generator gen);
rt_tensor rt_rand(const int64_t *shape, int ndim, rt_options opts, rt_generator gen);
rt_tensor rt_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, rt_options opts,
                     rt_generator gen);
rt_tensor rt_multinomial(rt_tensor probs, int64_t samples, bool replacement, rt_generator gen);

/* ---- random generators -------------------------------------------------------------- */
rt_generator rt_generator_new(int32_t device_type, int32_t device_index, uint64_t seed);
void rt_generator_free(rt_generator g);
uint64_t rt_generator_seed(rt_generator g);
rt_tensor rt_generator_get_state(rt_generator g); /* uint8 tensor */
int rt_generator_set_state(rt_generator g, rt_tensor state);

/* ---- conversion --------------------------------------------------------------------- */
rt_tensor rt_to(rt_tensor t, rt_options opts);
rt_tensor rt_to_dtype(rt_tensor t, int32_t dtype);
rt_tensor rt_clone(rt_tensor t);
rt_tensor rt_contiguous(rt_tensor t);

/* ---- elementwise -------------------------------------------------------------------- */
rt_tensor rt_add(rt_tensor a, rt_tensor b);
rt_tensor rt_sub(rt_tensor a, rt_tensor b);
rt_tensor rt_mul(rt_tensor a, rt_tensor b);
rt_tensor rt_div(rt_tensor a, rt_tensor b);
rt_tensor rt_pow(rt_tensor a, rt_tensor b);
rt_tensor rt_maximum(rt_tensor a, rt_tensor b);
rt_tensor rt_minimum(rt_tensor a, rt_tensor b);
rt_tensor rt_eq(rt_tensor a, rt_tensor b);
rt_tensor rt_ne(rt_tensor a, rt_tensor b);
rt_tensor rt_lt(rt_tensor a, rt_tensor b);
rt_tensor rt_le(rt_tensor a, rt_tensor b);
rt_tensor rt_gt(rt_tensor a, rt_tensor b);
rt_tensor rt_ge(rt_tensor a, rt_tensor b);
rt_tensor rt_logical_and(rt_tensor a, rt_tensor b);
rt_tensor rt_logical_or(rt_tensor a, rt_tensor b);
rt_tensor rt_matmul(rt_tensor a, rt_tensor b);

rt_tensor rt_add_scalar(rt_tensor a, double s);
rt_tensor rt_sub_scalar(rt_tensor a, double s);
rt_tensor rt_rsub_scalar(rt_tensor a, double s); /* s - a */
rt_tensor rt_mul_scalar(rt_tensor a, double s);
rt_tensor rt_div_scalar(rt_tensor a, double s);
rt_tensor rt_rdiv_scalar(rt_tensor a, double s); /* s / a */
rt_tensor rt_pow_scalar(rt_tensor a, double s);
rt_tensor rt_eq_scalar(rt_tensor a, double s);
rt_tensor rt_ne_scalar(rt_tensor a, double s);
rt_tensor rt_lt_scalar(rt_tensor a, double s);
rt_tensor rt_le_scalar(rt_tensor a, double s);
rt_tensor rt_gt_scalar(rt_tensor a, double s);
rt_tensor rt_ge_scalar(rt_tensor a, double s);

rt_tensor rt_neg(rt_tensor a);
rt_tensor rt_abs(rt_tensor a);
rt_tensor rt_exp(rt_tensor a);
rt_tensor rt_log(rt_tensor a);
rt_tensor rt_log1p(rt_tensor a);
rt_tensor rt_expm1(rt_tensor a);
rt_tensor rt_sqrt(rt_tensor a);
rt_tensor rt_rsqrt(rt_tensor a);
rt_tensor rt_square(rt_tensor a);
rt_tensor rt_sin(rt_tensor a);
rt_tensor rt_cos(rt_tensor a);
rt_tensor rt_tanh(rt_tensor a);
rt_tensor rt_sigmoid(rt_tensor a);
rt_tensor rt_relu(rt_tensor a);
rt_tensor rt_silu(rt_tensor a);
rt_tensor rt_gelu_tanh(rt_tensor a);
rt_tensor rt_sign(rt_tensor a);
rt_tensor rt_floor(rt_tensor a);
rt_tensor rt_logical_not(rt_tensor a);
rt_tensor rt_isnan(rt_tensor a);
rt_tensor rt_isfinite(rt_tensor a);

rt_tensor rt_where(rt_tensor condition, rt_tensor a, rt_tensor b);
rt_tensor rt_clamp(rt_tensor a, double min, double max, bool has_min, bool has_max);

/* ---- reductions --------------------------------------------------------------------- */
/* ndims == 0 reduces over all dimensions. */
rt_tensor rt_sum(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
rt_tensor rt_mean(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
rt_tensor rt_var(rt_tensor a, const int64_t *dims, int ndims, double correction, bool keepdim);
rt_tensor rt_logsumexp(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
rt_tensor rt_amax(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
rt_tensor rt_amin(rt_tensor a, const int64_t *dims, int ndims, bool keepdim);
rt_tensor rt_any(rt_tensor a);
rt_tensor rt_all(rt_tensor a);
/* Values are returned, indices (int64) are stored in *indices (a new reference). */
rt_tensor rt_max_dim(rt_tensor a, int64_t dim, bool keepdim, rt_tensor *indices);
rt_tensor rt_min_dim(rt_tensor a, int64_t dim, bool keepdim, rt_tensor *indices);
rt_tensor rt_sort(rt_tensor a, int64_t dim, bool descending, rt_tensor *indices);
rt_tensor rt_topk(rt_tensor a, int64_t k, int64_t dim, bool largest, rt_tensor *indices);
rt_tensor rt_argmax(rt_tensor a, int64_t dim, bool keepdim);
rt_tensor rt_cumsum(rt_tensor a, int64_t dim);

/* ---- shape and indexing ------------------------------------------------------------- */
rt_tensor rt_reshape(rt_tensor a, const int64_t *shape, int ndim);
rt_tensor rt_view(rt_tensor a, const int64_t *shape, int ndim);
rt_tensor rt_expand(rt_tensor a, const int64_t *shape, int ndim);
rt_tensor rt_permute(rt_tensor a, const int64_t *dims, int ndims);
rt_tensor rt_transpose(rt_tensor a, int64_t dim0, int64_t dim1);
rt_tensor rt_unsqueeze(rt_tensor a, int64_t dim);
rt_tensor rt_squeeze(rt_tensor a, int64_t dim);
rt_tensor rt_flatten(rt_tensor a, int64_t start_dim, int64_t end_dim);
rt_tensor rt_slice(rt_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step);
rt_tensor rt_select(rt_tensor a, int64_t dim, int64_t index);
rt_tensor rt_cat(const rt_tensor *tensors, int count, int64_t dim);
rt_tensor rt_stack(const rt_tensor *tensors, int count, int64_t dim);
rt_tensor rt_repeat_interleave(rt_tensor a, int64_t repeats, int64_t dim);
rt_tensor rt_index_select(rt_tensor a, int64_t dim, rt_tensor index);
rt_tensor rt_gather(rt_tensor a, int64_t dim, rt_tensor index);
rt_tensor rt_scatter(rt_tensor a, int64_t dim, rt_tensor index, rt_tensor src);
rt_tensor rt_scatter_add(rt_tensor a, int64_t dim, rt_tensor index, rt_tensor src);
rt_tensor rt_masked_fill(rt_tensor a, rt_tensor mask, double value);
rt_tensor rt_tril(rt_tensor a, int64_t diagonal);
rt_tensor rt_triu(rt_tensor a, int64_t diagonal);

/* ---- neural-network functions ------------------------------------------------------- */
rt_tensor rt_embedding(rt_tensor weight, rt_tensor indices);
rt_tensor rt_linear(rt_tensor x, rt_tensor weight, rt_tensor bias /* nullable */);
rt_tensor rt_rotary_embedding(rt_tensor x, rt_tensor cos, rt_tensor sin);
rt_tensor rt_sample_inverse_cdf(rt_tensor logits, rt_tensor uniforms, rt_tensor *log_probs);
rt_tensor rt_rms_norm(rt_tensor x, rt_tensor weight /* nullable */, double eps);
rt_tensor rt_softmax(rt_tensor a, int64_t dim);
rt_tensor rt_log_softmax(rt_tensor a, int64_t dim);
/* reduction: 0 none, 1 mean, 2 sum. */
rt_tensor rt_cross_entropy(rt_tensor logits, rt_tensor targets, int64_t ignore_index,
                           int reduction, double label_smoothing);
/* q [B,H,L,D], k/v [B,Hkv,S,D]; H % Hkv == 0 (grouped-query attention); mask is boolean
 * (true = attend) or additive float, broadcastable to [B,H,L,S]; scale <= 0 means 1/sqrt(D). */
rt_tensor rt_scaled_dot_product_attention(rt_tensor q, rt_tensor k, rt_tensor v,
                                          rt_tensor mask /* nullable */, bool causal,
                                          double scale);
/* log p(targets) = logits[..., target] - logsumexp(logits): no [.., V] log-prob tensor is
 * kept for the backward pass. logits [..., V] (computed in float32), targets [...] int64. */
rt_tensor rt_token_logprobs(rt_tensor logits, rt_tensor targets);
/* Entropy of softmax(logits) over the last dimension, in float32. */
rt_tensor rt_token_entropy(rt_tensor logits);

/* ---- autograd ----------------------------------------------------------------------- */
int rt_set_requires_grad(rt_tensor t, bool requires_grad);
bool rt_requires_grad(rt_tensor t);
/* NULL without error when the tensor has no gradient. */
rt_tensor rt_grad(rt_tensor t);
int rt_zero_grad(rt_tensor t); /* drops the gradient */
int rt_backward(rt_tensor t, rt_tensor gradient /* nullable */, bool retain_graph);
rt_tensor rt_detach(rt_tensor t);
bool rt_grad_enabled(void);
void rt_set_grad_enabled(bool enabled);

/* ---- in place ----------------------------------------------------------------------- */
int rt_copy_(rt_tensor dst, rt_tensor src);
int rt_add_(rt_tensor t, rt_tensor other, double alpha);
int rt_mul_scalar_(rt_tensor t, double s);
int rt_fill_(rt_tensor t, double value);

/* ---- optimisation ------------------------------------------------------------------- */
/* One fused AdamW step over `count` parameters with their gradients and moment buffers;
 * `steps` are float32 scalar tensors holding the number of updates done so far; each is
 * incremented before the update, as torch.optim.AdamW does. */
int rt_adamw_step(const rt_tensor *params, const rt_tensor *grads, const rt_tensor *exp_avgs,
                  const rt_tensor *exp_avg_sqs, const rt_tensor *steps, int count, double lr,
                  double beta1, double beta2, double weight_decay, double eps);
/* Global L2 norm of the gradients of `params` (those that have one); if it exceeds max_norm
 * the gradients are scaled by max_norm / (norm + 1e-6). Returns the norm before clipping in
 * *total_norm. max_norm <= 0 only measures. */
int rt_clip_grad_norm(const rt_tensor *params, int count, double max_norm, double *total_norm);

/* ---- benchmarks --------------------------------------------------------------------- */
/* Nanoseconds per call of at::add(a, b) in a C++ loop of `iterations` calls. */
double rt_bench_add_loop(rt_tensor a, rt_tensor b, int64_t iterations);

/* ---- data-parallel communication (distributed.cpp) ---------------------------------- */
rt_group rt_group_new(const char *backend, const char *host, int port, int rank, int world_size, int64_t timeout_ms);
rt_group rt_group_new_on_device(const char *backend, const char *host, int port, int rank, int world_size,
                                int cuda_device, int64_t timeout_ms);
void rt_group_free(rt_group g);
int rt_group_allreduce(rt_group g, const rt_tensor *tensors, int count, int op, int64_t bucket_bytes);
int rt_group_allreduce_grads(rt_group g, const rt_tensor *params, int count, int64_t bucket_bytes);
int rt_group_broadcast(rt_group g, const rt_tensor *tensors, int count, int root, int64_t bucket_bytes);
int rt_group_barrier(rt_group g);
int rt_group_store_set(rt_group g, const char *key, const uint8_t *value, int64_t length);
int rt_group_store_wait(rt_group g, const char *key, int64_t timeout_ms);

/* ---- mixed precision (autograd.cpp) --------------------------------------------------- */
int rt_set_autocast(int32_t device_type, bool enabled, int32_t dtype);

/* ---- 4-bit weights (quantized_linear.cpp) -------------------------------------------- */
rt_tensor rt_nf4_linear(rt_tensor x, rt_tensor codes, rt_tensor absmax, rt_tensor level_pairs, int64_t block_size,
                        int64_t outputs, int64_t inputs);

#ifdef __cplusplus
}
#endif
#endif
