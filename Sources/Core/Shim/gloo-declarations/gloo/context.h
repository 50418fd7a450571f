// Declarations only, for c10d/ProcessGroupGloo.hpp: see distributed.cpp in the shim.
#pragma once
#include <chrono>
namespace gloo {
class Context {
 public:
  void setTimeout(std::chrono::milliseconds timeout);
};
}  // namespace gloo
