// PyTorch ops whose Scalar arguments tch's generated bindings leave out (addmv's beta and
// alpha, addcdiv's value, ...): called here as at:: functions, so that dtype promotion, the
// checks and the fused kernels are PyTorch's own. Compiled with state.cpp by build/core.rs;
// called from nutorch-core/src/scalar_ops.rs. Every function catches C++ exceptions and
// reports them as text.

#include <ATen/core/Tensor.h>
#include <ATen/ops/addbmm.h>
#include <ATen/ops/addcdiv.h>
#include <ATen/ops/addcmul.h>
#include <ATen/ops/addmm.h>
#include <ATen/ops/addmv.h>
#include <ATen/ops/addr.h>
#include <ATen/ops/baddbmm.h>
#include <ATen/ops/rrelu.h>

#include "shim.h"

extern "C" {

// op: 0 addmm, 1 addmv, 2 addr, 3 addbmm, 4 baddbmm (self, a, b, beta = s1, alpha = s2);
// 5 addcmul, 6 addcdiv (self, tensor1 = a, tensor2 = b, value = s1); 7 rrelu in training
// (self, lower = s1, upper = s2; a and b unused), drawing from the default generator.
int nutorch_scalar_op(int32_t op, const at::Tensor* self, const at::Tensor* a, const at::Tensor* b, nutorch_scalar s1,
                      nutorch_scalar s2, at::Tensor** out, char* err, size_t cap) {
  using nutorch::scalar;
  return nutorch::guarded(err, cap, [&] {
    at::Tensor r;
    switch (op) {
      case 0: r = at::addmm(*self, *a, *b, scalar(s1), scalar(s2)); break;
      case 1: r = at::addmv(*self, *a, *b, scalar(s1), scalar(s2)); break;
      case 2: r = at::addr(*self, *a, *b, scalar(s1), scalar(s2)); break;
      case 3: r = at::addbmm(*self, *a, *b, scalar(s1), scalar(s2)); break;
      case 4: r = at::baddbmm(*self, *a, *b, scalar(s1), scalar(s2)); break;
      case 5: r = at::addcmul(*self, *a, *b, scalar(s1)); break;
      case 6: r = at::addcdiv(*self, *a, *b, scalar(s1)); break;
      case 7: r = at::rrelu(*self, scalar(s1), scalar(s2), true, std::nullopt); break;
      default: std::snprintf(err, cap, "unknown op %d", op); return -1;
    }
    *out = new at::Tensor(std::move(r));
    return 0;
  });
}

}  // extern "C"
