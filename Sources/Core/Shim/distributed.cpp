// Data-parallel communication on libtorch's own distributed engine (c10d): a TCP store for
// the rendezvous (rank 0 serves it) and the Gloo backend for the collectives.
//
// The PyTorch wheel contains Gloo (in libtorch_cpu.so) and c10d's ProcessGroupGloo.hpp, but
// not the Gloo headers that header includes; gloo-declarations/ declares just the Gloo names
// it mentions. Only ProcessGroupGloo's out-of-line entry points and c10d::Backend's virtual
// collectives are called, and Gloo's classes appear only behind pointers, so their real
// layout never matters here.
#define USE_C10D_GLOO 1
#include "shim_internal.h"
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

struct rt_group_opaque {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  std::chrono::milliseconds timeout;
  // Set when a collective failed (a peer died or timed out). Such a group is never torn
  // down: Gloo's threads may still be handling its broken connections, and destroying it
  // under them can crash the process that is about to report the error.
  std::atomic<bool> failed{false};
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
  try {
    const std::string name = backend ? backend : "gloo";
    TORCH_CHECK(world_size >= 1 && rank >= 0 && rank < world_size, "rank ", rank, " is outside a world of ", world_size);
    TORCH_CHECK(port > 0 && port < 65536, "port ", port, " is not a TCP port");
    TORCH_CHECK(name == "gloo",
                "backend '", name, "' is not built into this rlrun; 'gloo' runs on CPU and also reduces CUDA tensors "
                "(through host memory)");
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
             [&](std::vector<at::Tensor> &flat) { return g->backend->allreduce(flat, options); });
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
    bucketed(g, grads, bucket_bytes, [&](std::vector<at::Tensor> &flat) { return g->backend->allreduce(flat, options); });
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
             [&](std::vector<at::Tensor> &flat) { return g->backend->broadcast(flat, options); });
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
