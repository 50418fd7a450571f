// Declarations only, for c10d/ProcessGroupGloo.hpp: see distributed.cpp in the shim.
#pragma once
namespace gloo {
namespace transport {
class Device;
class UnboundBuffer;
}  // namespace transport
}  // namespace gloo
