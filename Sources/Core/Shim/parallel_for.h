// at::parallel_for for the shim's own kernels.
//
// libtorch's at::parallel_for is a header template whose OpenMP body is compiled only under
// -fopenmp; the Swift toolchain's clang would pair that with LLVM's libomp, a second runtime
// beside the libgomp libtorch uses. Without it the loop silently runs on one thread (measured:
// the decoding kernel at 6.9 ms a token on the small shape instead of 4.1). This runs the
// same team of libtorch's OpenMP threads through libgomp's entry point, and runs serially
// where libtorch was built without libgomp.
#pragma once
#include <ATen/Parallel.h>
#include <algorithm>
#include <atomic>
#include <cstdint>

extern "C" {
void GOMP_parallel(void (*body)(void *), void *data, unsigned threads, unsigned flags) __attribute__((weak));
int omp_get_thread_num(void) __attribute__((weak));
int omp_get_num_threads(void) __attribute__((weak));
int omp_in_parallel(void) __attribute__((weak));
}

namespace rlrun {

/// Calls f(first, last) on disjoint chunks of [begin, end), each at least `grain` long, one
/// chunk per thread. f must not throw.
template <typename F>
void parallel_for(int64_t begin, int64_t end, int64_t grain, const F &f) {
  const int64_t range = end - begin;
  const int64_t tasks = std::min<int64_t>(at::get_num_threads(), (range + grain - 1) / grain);
  if (tasks <= 1 || !GOMP_parallel || !omp_get_thread_num || !omp_get_num_threads || !omp_in_parallel ||
      omp_in_parallel()) {
    if (range > 0) f(begin, end);
    return;
  }
  struct Work {
    const F *f;
    int64_t begin, end, tasks;
  } work{&f, begin, end, tasks};
  // As libtorch does: the default team (no num_threads clause, see pytorch#32008), and
  // threads beyond `tasks` return at once.
  GOMP_parallel(
      [](void *data) {
        const auto &w = *static_cast<const Work *>(data);
        const int64_t tasks = std::min<int64_t>(w.tasks, omp_get_num_threads());
        const int64_t chunk = (w.end - w.begin + tasks - 1) / tasks;
        const int64_t first = w.begin + omp_get_thread_num() * chunk;
        if (first < w.end) (*w.f)(first, std::min(w.end, first + chunk));
      },
      &work, 0, 0);
}

/// The same with chunks of `grain` handed out one at a time to whichever thread is free: on a
/// shared machine one thread often runs late, and with one fixed chunk each the other waits
/// for it at the end of every call.
template <typename F>
void parallel_for_dynamic(int64_t begin, int64_t end, int64_t grain, const F &f) {
  grain = std::max<int64_t>(1, grain);
  std::atomic<int64_t> next{begin};
  parallel_for(0, at::get_num_threads(), 1, [&](int64_t, int64_t) {
    for (int64_t first = next.fetch_add(grain); first < end; first = next.fetch_add(grain)) f(first, std::min(end, first + grain));
  });
}

}  // namespace rlrun
