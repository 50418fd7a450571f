// Runtime services of the shim: errors, threads, CUDA loading, handle lifetime, creation,
// random generators, conversion. Ops live in ops.cpp, autograd and optimisers in autograd.cpp.
#include "shim_internal.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/headeronly/version.h>
#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <climits>
#include <cstring>
#include <mutex>

namespace rlrun {

static thread_local std::string last_error;

void set_last_error(const char *message) { last_error = message; }

at::ScalarType scalar_type(int32_t dtype) {
  switch (dtype) {
    case RT_F32: return at::kFloat;
    case RT_BF16: return at::kBFloat16;
    case RT_F16: return at::kHalf;
    case RT_F64: return at::kDouble;
    case RT_I64: return at::kLong;
    case RT_I32: return at::kInt;
    case RT_BOOL: return at::kBool;
    case RT_U8: return at::kByte;
  }
  throw std::invalid_argument("unknown dtype code " + std::to_string(dtype));
}

int32_t dtype_code(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return RT_F32;
    case at::kBFloat16: return RT_BF16;
    case at::kHalf: return RT_F16;
    case at::kDouble: return RT_F64;
    case at::kLong: return RT_I64;
    case at::kInt: return RT_I32;
    case at::kBool: return RT_BOOL;
    case at::kByte: return RT_U8;
    default: throw std::invalid_argument(std::string("dtype not supported by rlrun: ") +
                                         c10::toString(type));
  }
}

at::Device device(int32_t type, int32_t index) {
  switch (type) {
    case RT_CPU: return at::Device(at::kCPU);
    case RT_CUDA: return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw std::invalid_argument("unknown device type " + std::to_string(type));
}

at::TensorOptions options(rt_options opts) {
  return at::TensorOptions().dtype(scalar_type(opts.dtype)).device(device(opts.device_type, opts.device_index));
}

}  // namespace rlrun

using namespace rlrun;

extern "C" {

const char *rt_last_error(void) { return last_error.c_str(); }
const char *rt_torch_version(void) { return TORCH_VERSION; }

int rt_set_num_threads(int n) { RT_STATUS(at::set_num_threads(n)) }
int rt_get_num_threads(void) { return at::get_num_threads(); }

void rt_keep_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);            // large blocks come from the heap too
  mallopt(M_TRIM_THRESHOLD, INT_MAX);  // and stay there once freed
#endif
}

int rt_cuda_load(void) {
  static std::once_flag once;
  static std::string load_error;
  std::call_once(once, [] {
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&at::detail::getCUDAHooks), &info) == 0 || info.dli_fname == nullptr) {
      load_error = "cannot locate libtorch_cpu.so to find libtorch_cuda.so next to it";
      return;
    }
    std::string dir(info.dli_fname);
    dir = dir.substr(0, dir.find_last_of('/'));
    std::string path = dir + "/libtorch_cuda.so";
    if (dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
      const char *why = dlerror();
      load_error = "cannot load " + path + ": " + (why ? why : "unknown reason") +
                   ". A CUDA device needs a CUDA build of PyTorch 2.11 with its NVIDIA libraries "
                   "(point LIBTORCH at its site-packages/torch and rerun the bootstrap).";
    }
  });
  if (!load_error.empty()) {
    set_last_error(load_error.c_str());
    return 0;
  }
  try {
    if (!at::globalContext().hasCUDA()) {
      set_last_error("libtorch_cuda.so is loaded but no CUDA device is usable (no GPU visible, "
                     "or the NVIDIA driver is missing or too old for CUDA 13)");
      return 0;
    }
    return 1;
  }
  RT_CATCH(0)
}

int rt_cuda_device_count(void) {
  try { return static_cast<int>(at::detail::getCUDAHooks().deviceCount()); }
  RT_CATCH(-1)
}

int rt_cuda_synchronize(int device_index) {
  RT_STATUS(at::detail::getCUDAHooks().deviceSynchronize(static_cast<c10::DeviceIndex>(device_index)))
}

// ---- lifetime and inspection ------------------------------------------------------------

void rt_free(rt_tensor t) { delete reinterpret_cast<at::Tensor *>(t); }
rt_tensor rt_shallow_copy(rt_tensor t) { RT_TENSOR(T(t)) }
int rt_ndim(rt_tensor t) { return static_cast<int>(T(t).dim()); }

int rt_shape(rt_tensor t, int64_t *out, int capacity) {
  auto sizes = T(t).sizes();
  int n = static_cast<int>(sizes.size());
  for (int i = 0; i < n && i < capacity; i++) out[i] = sizes[i];
  return n;
}

int64_t rt_numel(rt_tensor t) { return T(t).numel(); }
int rt_get_dtype(rt_tensor t) {
  try { return dtype_code(T(t).scalar_type()); }
  RT_CATCH(-1)
}

int rt_get_device(rt_tensor t, int32_t *device_index) {
  auto d = T(t).device();
  *device_index = d.index();
  if (d.is_cpu()) return RT_CPU;
  if (d.is_cuda()) return RT_CUDA;
  set_last_error("tensor lives on a device rlrun does not support");
  return -1;
}

bool rt_is_defined(rt_tensor t) { return T(t).defined(); }
bool rt_is_contiguous(rt_tensor t) { return T(t).is_contiguous(); }
int rt_item_double(rt_tensor t, double *out) { RT_STATUS(*out = T(t).item<double>()) }
int rt_item_int64(rt_tensor t, int64_t *out) { RT_STATUS(*out = T(t).item<int64_t>()) }

int rt_copy_to_host(rt_tensor t, int32_t dtype, void *out, size_t nbytes) {
  RT_STATUS({
    auto host = T(t).to(at::kCPU, scalar_type(dtype)).contiguous();
    if (host.nbytes() != nbytes)
      throw std::invalid_argument("copy_to_host: tensor has " + std::to_string(host.nbytes()) +
                                  " bytes, buffer has " + std::to_string(nbytes));
    if (nbytes > 0) std::memcpy(out, host.data_ptr(), nbytes);
  })
}

// ---- creation ---------------------------------------------------------------------------

rt_tensor rt_from_data(const void *data, const int64_t *shape, int ndim, rt_options opts) {
  RT_TENSOR(at::from_blob(const_cast<void *>(data), dims(shape, ndim),
                          at::TensorOptions().dtype(scalar_type(opts.dtype)))
                .to(device(opts.device_type, opts.device_index), /*non_blocking=*/false, /*copy=*/true))
}

rt_tensor rt_empty(const int64_t *shape, int ndim, rt_options opts) { RT_TENSOR(at::empty(dims(shape, ndim), options(opts))) }
rt_tensor rt_zeros(const int64_t *shape, int ndim, rt_options opts) { RT_TENSOR(at::zeros(dims(shape, ndim), options(opts))) }
rt_tensor rt_ones(const int64_t *shape, int ndim, rt_options opts) { RT_TENSOR(at::ones(dims(shape, ndim), options(opts))) }
rt_tensor rt_full(const int64_t *shape, int ndim, double value, rt_options opts) {
  RT_TENSOR(at::full(dims(shape, ndim), value, options(opts)))
}
rt_tensor rt_arange(double start, double end, double step, rt_options opts) {
  RT_TENSOR(at::arange(start, end, step, options(opts)))
}

static std::optional<at::Generator> generator(rt_generator g) {
  if (g == nullptr) return std::nullopt;
  return *reinterpret_cast<at::Generator *>(g);
}

rt_tensor rt_randn(const int64_t *shape, int ndim, rt_options opts, rt_generator gen) {
  RT_TENSOR(at::randn(dims(shape, ndim), generator(gen), options(opts)))
}
rt_tensor rt_rand(const int64_t *shape, int ndim, rt_options opts, rt_generator gen) {
  RT_TENSOR(at::rand(dims(shape, ndim), generator(gen), options(opts)))
}
rt_tensor rt_randint(int64_t low, int64_t high, const int64_t *shape, int ndim, rt_options opts, rt_generator gen) {
  RT_TENSOR(at::randint(low, high, dims(shape, ndim), generator(gen), options(opts)))
}
rt_tensor rt_multinomial(rt_tensor probs, int64_t samples, bool replacement, rt_generator gen) {
  RT_TENSOR(at::multinomial(T(probs), samples, replacement, generator(gen)))
}

// ---- random generators ------------------------------------------------------------------

rt_generator rt_generator_new(int32_t device_type, int32_t device_index, uint64_t seed) {
  try {
    at::Generator g;
    if (device_type == RT_CPU) {
      g = at::detail::createCPUGenerator(seed);
    } else {
      g = at::globalContext().defaultGenerator(device(device_type, device_index)).clone();
      std::lock_guard<std::mutex> lock(g.mutex());
      g.set_current_seed(seed);
    }
    return reinterpret_cast<rt_generator>(new at::Generator(std::move(g)));
  }
  RT_CATCH(nullptr)
}

void rt_generator_free(rt_generator g) { delete reinterpret_cast<at::Generator *>(g); }
uint64_t rt_generator_seed(rt_generator g) { return reinterpret_cast<at::Generator *>(g)->current_seed(); }

rt_tensor rt_generator_get_state(rt_generator g) {
  auto &gen = *reinterpret_cast<at::Generator *>(g);
  try {
    std::lock_guard<std::mutex> lock(gen.mutex());
    return wrap(gen.get_state());
  }
  RT_CATCH(nullptr)
}

int rt_generator_set_state(rt_generator g, rt_tensor state) {
  auto &gen = *reinterpret_cast<at::Generator *>(g);
  RT_STATUS({
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(T(state));
  })
}

// ---- conversion -------------------------------------------------------------------------

rt_tensor rt_to(rt_tensor t, rt_options opts) {
  RT_TENSOR(T(t).to(device(opts.device_type, opts.device_index), scalar_type(opts.dtype)))
}
rt_tensor rt_to_dtype(rt_tensor t, int32_t dtype) { RT_TENSOR(T(t).to(scalar_type(dtype))) }
rt_tensor rt_clone(rt_tensor t) { RT_TENSOR(T(t).clone()) }
rt_tensor rt_contiguous(rt_tensor t) { RT_TENSOR(T(t).contiguous()) }

}  // extern "C"
