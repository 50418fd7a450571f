// c10d's NCCL backend for rlrun's process groups, as a library of its own.
//
// ProcessGroupNCCL lives in libtorch_cuda.so and its header needs NCCL's and CUDA's headers,
// which a CPU machine does not have. So it is not part of the Swift build:
// scripts/bootstrap-nccl.sh fetches those headers (from the same PyPI wheels PyTorch 2.11
// depends on, so the class layout matches the one in libtorch_cuda.so) and compiles this file
// into librlrun_nccl.so. The shim opens it only when a run asks for the "nccl" backend, after
// libtorch_cuda.so is loaded, and resolves the one function below.
#define USE_C10D_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#include <c10/cuda/CUDAFunctions.h>
#include <cstring>
#include <string>

extern "C" {

// A ProcessGroupNCCL over `store` for rank `rank` of `size`, bound to CUDA device `device`
// (each rank drives its own GPU: the local rank). Returns the backend with one reference owned
// by the caller (reclaim it into an intrusive_ptr), or nullptr with a message in `error`.
c10d::Backend *rlrun_nccl_backend_new(const c10::intrusive_ptr<c10d::Store> *store, int rank, int size, int device,
                                      int64_t timeout_ms, char *error, size_t error_capacity) {
  try {
    TORCH_CHECK(device >= 0 && device < c10::cuda::device_count(), "CUDA device ", device, " does not exist (",
                static_cast<int>(c10::cuda::device_count()), " visible); each rank uses the GPU of its LOCAL_RANK");
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(device));
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = std::chrono::milliseconds(timeout_ms);
    auto backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(*store, rank, size, options);
    // Bound to its device, the group creates its communicator now rather than at the first
    // collective, so a rank that cannot connect fails here, within the timeout.
    const at::Device bound(at::kCUDA, static_cast<c10::DeviceIndex>(device));
    backend->setBoundDeviceId(bound);
    backend->eagerConnectSingleDevice(bound);
    return backend.release();
  } catch (const std::exception &e) {
    std::snprintf(error, error_capacity, "%s", e.what());
  } catch (...) {
    std::snprintf(error, error_capacity, "unknown error creating the NCCL backend");
  }
  return nullptr;
}

// The NCCL version this library was built against, e.g. 22809 for 2.28.9.
int rlrun_nccl_version(void) { return NCCL_VERSION_CODE; }
}
