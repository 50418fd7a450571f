// x·Wᵀ for a frozen 4-bit NF4 weight W, as one autograd node that keeps only the packed codes
// and scales for the backward pass and dequantizes W again there (as bitsandbytes does). A
// plain linear over the dequantized W would keep every layer's dense W alive until
// backward(), so LoRA training over a 4-bit base would peak at the dense model's memory.
#include "shim_internal.h"
#include <torch/autograd.h>

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

at::Tensor dequantize(const at::Tensor &codes, const at::Tensor &absmax, const at::Tensor &level_pairs, int64_t block_size,
                      int64_t outputs, int64_t inputs, at::ScalarType dtype) {
  at::NoGradGuard no_grad;
  // Each byte holds two codes; level_pairs [256, 2] gives both levels at once.
  auto values = level_pairs.index_select(0, codes.to(at::kInt)).reshape({-1, block_size}) * absmax.unsqueeze(1);
  return values.reshape({-1}).narrow(0, 0, outputs * inputs).reshape({outputs, inputs}).to(dtype);
}

struct NF4Linear : public torch::autograd::Function<NF4Linear> {
  static at::Tensor forward(AutogradContext *ctx, const at::Tensor &x, const at::Tensor &codes, const at::Tensor &absmax,
                            const at::Tensor &level_pairs, int64_t block_size, int64_t outputs, int64_t inputs) {
    ctx->save_for_backward({codes, absmax, level_pairs});
    ctx->saved_data["block_size"] = block_size;
    ctx->saved_data["outputs"] = outputs;
    ctx->saved_data["inputs"] = inputs;
    return at::linear(x, dequantize(codes, absmax, level_pairs, block_size, outputs, inputs, x.scalar_type()));
  }

  static variable_list backward(AutogradContext *ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto weight = dequantize(saved[0], saved[1], saved[2], ctx->saved_data["block_size"].toInt(),
                             ctx->saved_data["outputs"].toInt(), ctx->saved_data["inputs"].toInt(), grads[0].scalar_type());
    // Only x gets a gradient: the codes are frozen.
    return {grads[0].matmul(weight), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

extern "C" rt_tensor rt_nf4_linear(rt_tensor x, rt_tensor codes, rt_tensor absmax, rt_tensor level_pairs, int64_t block_size,
                                   int64_t outputs, int64_t inputs) {
  RT_TENSOR(NF4Linear::apply(rlrun::T(x), rlrun::T(codes), rlrun::T(absmax), rlrun::T(level_pairs), block_size, outputs, inputs))
}
