// Data-parallel communication on libtorch's own distributed engine (c10d): a TCP store for
// the rendezvous (rank 0 serves it), the Gloo backend for the collectives and, when asked,
// NCCL for those over CUDA tensors (PyTorch's "cpu:gloo,cuda:nccl"). NCCL's c10d class comes
// from librlrun_nccl.so (Sources/NCCLBackend), opened at run time.
//
// The PyTorch wheel contains Gloo (in libtorch_cpu.so) and c10d's ProcessGroupGloo.hpp, but
// not the Gloo headers that header includes; gloo-declarations/ declares just the Gloo names
// it mentions. Only ProcessGroupGloo's out-of-line entry points and c10d::Backend's virtual
// collectives are called, and Gloo's classes appear only behind pointers, so their real
// layout never matters here.
#define USE_C10D_GLOO 1
#include "shim_internal.h"
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <dlfcn.h>
#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int rt_cuda_load(void);  // runtime.cpp

struct rt_group_opaque {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  // NCCL for collectives over CUDA tensors (nil: Gloo takes those too, through host memory).
  c10::intrusive_ptr<c10d::Backend> cuda_backend;
  std::chrono::milliseconds timeout;
  // Set when a collective failed (a peer died or timed out). Such a group is never torn
  // down: Gloo's threads may still be handling its broken connections, and destroying it
  // under them can crash the process that is about to report the error.
  std::atomic<bool> failed{false};

  c10d::Backend &backend_for(const at::Tensor &t) const { return t.is_cuda() && cuda_backend ? *cuda_backend : *backend; }
};

namespace {

bool is_loopback(const std::string &host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

c10::intrusive_ptr<c10d::ProcessGroupGloo::Options> gloo_options(const std::string &host, std::chrono::milliseconds timeout) {
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  if (const char *interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface) {
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
  } else if (is_loopback(host)) {
    // Every rank on this machine: bind to loopback rather than whatever the hostname resolves to.
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else {
    options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  return options;
}

using NCCLBackendNew = c10d::Backend *(*)(const c10::intrusive_ptr<c10d::Store> *, int, int, int, int64_t, char *, size_t);

std::string directory_of(const std::string &path) { return path.substr(0, path.find_last_of('/')); }

// librlrun_nccl.so: $RLRUN_NCCL_BACKEND, else beside the executable, else where
// scripts/bootstrap-nccl.sh builds it (.deps/nccl of the checkout this shim was built in).
NCCLBackendNew nccl_backend_factory() {
  TORCH_CHECK(rt_cuda_load() == 1, "the NCCL backend needs CUDA: ", rt_last_error());
  std::vector<std::string> candidates;
  if (const char *explicit_path = std::getenv("RLRUN_NCCL_BACKEND"); explicit_path && *explicit_path) {
    candidates.push_back(explicit_path);
  } else {
    char exe[4096];
    const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) candidates.push_back(directory_of(std::string(exe, static_cast<size_t>(n))) + "/librlrun_nccl.so");
#ifdef RLRUN_DEPS_DIRECTORY
    candidates.push_back(std::string(RLRUN_DEPS_DIRECTORY) + "/nccl/librlrun_nccl.so");
#endif
  }
  std::string tried;
  for (const auto &path : candidates) {
    void *library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
      const char *why = dlerror();
      tried += "\n  " + path + ": " + (why ? why : "cannot be opened");
      continue;
    }
    if (auto factory = reinterpret_cast<NCCLBackendNew>(dlsym(library, "rlrun_nccl_backend_new"))) return factory;
    tried += "\n  " + path + ": has no rlrun_nccl_backend_new";
  }
  TORCH_CHECK(false, "the NCCL backend library is not built or cannot be loaded; run scripts/bootstrap-nccl.sh (it fetches "
              "NCCL's and CUDA's headers and builds librlrun_nccl.so), set RLRUN_NCCL_BACKEND to the library, or use "
              "--dist-backend gloo. Tried:", tried);
  return nullptr;
}

c10::intrusive_ptr<c10d::Backend> nccl_backend(NCCLBackendNew factory, const c10::intrusive_ptr<c10d::Store> &store, int rank,
                                               int world_size, int device, std::chrono::milliseconds timeout) {
  // NCCL's own rendezvous keys live under a prefix of their own in the shared store.
  c10::intrusive_ptr<c10d::Store> prefixed = c10::make_intrusive<c10d::PrefixStore>("nccl", store);
  char error[2048] = {0};
  c10d::Backend *backend = factory(&prefixed, rank, world_size, device, timeout.count(), error, sizeof(error));
  TORCH_CHECK(backend != nullptr, "NCCL on cuda:", device, ": ", error);
  return c10::intrusive_ptr<c10d::Backend>::reclaim(backend);
}

c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case 0: return c10d::ReduceOp::SUM;
    case 1: return c10d::ReduceOp::MAX;
    case 2: return c10d::ReduceOp::MIN;
    default: TORCH_CHECK(false, "unknown reduce op ", op, " (0 sum, 1 max, 2 min)");
  }
}

// Consecutive tensors of one dtype and device, up to `capacity` bytes each (at least one tensor).
std::vector<std::vector<at::Tensor>> buckets(const std::vector<at::Tensor> &tensors, int64_t capacity) {
  std::vector<std::vector<at::Tensor>> result;
  int64_t bytes = 0;
  for (const auto &t : tensors) {
    const int64_t size = t.numel() * static_cast<int64_t>(t.element_size());
    bool fits = !result.empty() && bytes + size <= capacity && result.back().front().scalar_type() == t.scalar_type() &&
                result.back().front().device() == t.device();
    if (!fits) {
      result.emplace_back();
      bytes = 0;
    }
    result.back().push_back(t);
    bytes += size;
  }
  return result;
}

// Runs `collective` over flat buckets of `tensors` (all issued before any is waited for, so
// the backend's threads work on one bucket while the next is being packed), then copies the
// results back into the tensors.
template <typename Collective>
void bucketed(rt_group g, const std::vector<at::Tensor> &tensors, int64_t capacity, Collective collective) {
  struct Pending {
    std::vector<at::Tensor> parts;
    std::vector<at::Tensor> flat;
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<Pending> pending;
  for (auto &parts : buckets(tensors, capacity <= 0 ? INT64_MAX : capacity)) {
    Pending p;
    p.parts = parts;
    if (parts.size() == 1 && parts[0].is_contiguous()) {
      p.flat = {parts[0]};
    } else {
      std::vector<at::Tensor> views;
      for (auto &t : parts) views.push_back(t.reshape({-1}));
      p.flat = {at::cat(views)};
    }
    p.work = collective(p.flat);
    pending.push_back(std::move(p));
  }
  for (auto &p : pending) {
    p.work->wait(g->timeout);
    if (p.flat[0].is_same(p.parts[0])) continue;
    int64_t offset = 0;
    for (auto &t : p.parts) {
      t.copy_(p.flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

std::vector<at::Tensor> tensor_list(const rt_tensor *tensors, int count) {
  std::vector<at::Tensor> list;
  for (int i = 0; i < count; i++) list.push_back(rlrun::T(tensors[i]));
  return list;
}

}  // namespace

extern "C" rt_group rt_group_new(const char *backend, const char *host, int port, int rank, int world_size, int64_t timeout_ms) {
  return rt_group_new_on_device(backend, host, port, rank, world_size, -1, timeout_ms);
}

extern "C" rt_group rt_group_new_on_device(const char *backend, const char *host, int port, int rank, int world_size,
                                           int cuda_device, int64_t timeout_ms) {
  try {
    const std::string name = backend ? backend : "gloo";
    TORCH_CHECK(world_size >= 1 && rank >= 0 && rank < world_size, "rank ", rank, " is outside a world of ", world_size);
    TORCH_CHECK(port > 0 && port < 65536, "port ", port, " is not a TCP port");
    TORCH_CHECK(name == "gloo" || name == "nccl",
                "unknown backend '", name, "': 'gloo' runs on CPU and also reduces CUDA tensors (through host memory), "
                "'nccl' reduces CUDA tensors on the GPUs");
    TORCH_CHECK(name == "gloo" || cuda_device >= 0, "the NCCL backend needs the CUDA device of this rank");
    // Before the rendezvous, so that a rank without NCCL fails at once rather than at the timeout.
    NCCLBackendNew factory = name == "nccl" ? nccl_backend_factory() : nullptr;
    auto timeout = std::chrono::milliseconds(timeout_ms);
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(port);
    store_options.isServer = rank == 0;
    store_options.numWorkers = static_cast<size_t>(world_size);
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    auto group = new rt_group_opaque();
    group->timeout = timeout;
    try {
      group->store = c10::make_intrusive<c10d::TCPStore>(std::string(host), store_options);
      group->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(group->store, rank, world_size, gloo_options(host, timeout));
      if (factory) group->cuda_backend = nccl_backend(factory, group->store, rank, world_size, cuda_device, timeout);
    } catch (...) {
      delete group;
      throw;
    }
    return group;
  }
  RT_CATCH(nullptr)
}

extern "C" void rt_group_free(rt_group g) {
  if (g == nullptr || g->failed) return;  // see rt_group_opaque::failed
  try {
    // NCCL's communicators and watchdog end here, as destroy_process_group() ends them.
    if (g->cuda_backend) g->cuda_backend->shutdown();
    delete g;
  } catch (...) {
  }
}

extern "C" int rt_group_allreduce(rt_group g, const rt_tensor *tensors, int count, int op, int64_t bucket_bytes) {
  try {
    c10d::AllreduceOptions options;
    options.reduceOp = reduce_op(op);
    options.timeout = g->timeout;
    bucketed(g, tensor_list(tensors, count), bucket_bytes,
             [&](std::vector<at::Tensor> &flat) { return g->backend_for(flat[0]).allreduce(flat, options); });
    return 0;
  } catch (...) {
    g->failed = true;
    try {
      throw;
    }
    RT_CATCH(-1)
  }
}

extern "C" int rt_group_allreduce_grads(rt_group g, const rt_tensor *params, int count, int64_t bucket_bytes) {
  try {
    auto list = tensor_list(params, count);
    // Which parameters have a gradient on some rank: a rank that scored no sequence has none,
    // and a parameter no rank touched keeps none (as in one process).
    auto present = at::zeros({count}, at::kInt);
    for (int i = 0; i < count; i++) present[i] = list[i].grad().defined() ? 1 : 0;
    {
      std::vector<at::Tensor> flags{present};
      c10d::AllreduceOptions options;
      options.reduceOp = c10d::ReduceOp::MAX;
      options.timeout = g->timeout;
      g->backend->allreduce(flags, options)->wait(g->timeout);
    }
    auto anywhere = present.accessor<int32_t, 1>();
    std::vector<at::Tensor> grads;
    for (int i = 0; i < count; i++) {
      if (!anywhere[i]) continue;
      if (!list[i].grad().defined()) list[i].mutable_grad() = at::zeros_like(list[i]);
      grads.push_back(list[i].grad());
    }
    c10d::AllreduceOptions options;
    options.timeout = g->timeout;
    bucketed(g, grads, bucket_bytes, [&](std::vector<at::Tensor> &flat) { return g->backend_for(flat[0]).allreduce(flat, options); });
    return 0;
  } catch (...) {
    g->failed = true;
    try {
      throw;
    }
    RT_CATCH(-1)
  }
}

extern "C" int rt_group_broadcast(rt_group g, const rt_tensor *tensors, int count, int root, int64_t bucket_bytes) {
  try {
    c10d::BroadcastOptions options;
    options.rootRank = root;
    options.timeout = g->timeout;
    at::NoGradGuard no_grad;  // parameters are overwritten in place
    bucketed(g, tensor_list(tensors, count), bucket_bytes,
             [&](std::vector<at::Tensor> &flat) { return g->backend_for(flat[0]).broadcast(flat, options); });
    return 0;
  } catch (...) {
    g->failed = true;
    try {
      throw;
    }
    RT_CATCH(-1)
  }
}

extern "C" int rt_group_barrier(rt_group g) {
  try {
    c10d::BarrierOptions options;
    options.timeout = g->timeout;
    g->backend->barrier(options)->wait(g->timeout);
    return 0;
  } catch (...) {
    g->failed = true;
    try {
      throw;
    }
    RT_CATCH(-1)
  }
}

extern "C" int rt_group_store_set(rt_group g, const char *key, const uint8_t *value, int64_t length) {
  try {
    g->store->set(key, std::vector<uint8_t>(value, value + length));
    return 0;
  } catch (...) {
    g->failed = true;
    try {
      throw;
    }
    RT_CATCH(-1)
  }
}

extern "C" int rt_group_store_wait(rt_group g, const char *key, int64_t timeout_ms) {
  try {
    g->store->wait({std::string(key)}, std::chrono::milliseconds(timeout_ms));
    return 0;
  } catch (...) {
    g->failed = true;
    try {
      throw;
    }
    RT_CATCH(-1)
  }
}
