// PyTorch's multi-tensor (_foreach_*) ops, which tch's generated bindings leave out (they take
// and return lists of tensors). The optimizers' updates go through them as torch.optim's
// foreach implementations do: on a GPU one kernel updates every parameter of a dtype, instead of
// a few kernels per parameter; on the CPU they run PyTorch's per-tensor ops. Called from
// nutorch-core/src/foreach.rs; C++ exceptions are reported as text.

#include <ATen/core/Tensor.h>
#include <ATen/ops/_foreach_add.h>
#include <ATen/ops/_foreach_addcdiv.h>
#include <ATen/ops/_foreach_addcmul.h>
#include <ATen/ops/_foreach_div.h>
#include <ATen/ops/_foreach_lerp.h>
#include <ATen/ops/_foreach_maximum.h>
#include <ATen/ops/_foreach_mul.h>
#include <ATen/ops/_foreach_sqrt.h>

#include <vector>

#include "shim.h"

namespace {

std::vector<at::Tensor> list(const at::Tensor* const* tensors, size_t n) {
  std::vector<at::Tensor> v;
  if (tensors == nullptr) return v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) v.push_back(*tensors[i]);
  return v;
}

std::vector<c10::Scalar> scalar_list(const double* values, size_t n) {
  std::vector<c10::Scalar> v;
  if (values == nullptr) return v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) v.emplace_back(values[i]);
  return v;
}

}  // namespace

extern "C" {

// Lists a, b, c of n tensors each (b and c only where the op takes them), a scalar s and a list
// of n scalars. In place on a:
//   0 _foreach_add_(a, b, alpha=s)        1 _foreach_mul_(a, s)
//   2 _foreach_lerp_(a, b, weight=s)      3 _foreach_addcmul_(a, b, c, value=s)
//   4 _foreach_maximum_(a, b)             5 _foreach_div_(a, scalars)
//   6 _foreach_add_(a, s)                 7 _foreach_addcdiv_(a, b, c, scalars)
// New tensors, n of them written to out:
//   8 _foreach_add(a, b, alpha=s)         9 _foreach_sqrt(a)
int nutorch_foreach(int32_t op, const at::Tensor* const* a, const at::Tensor* const* b, const at::Tensor* const* c,
                    size_t n, double s, const double* scalars, at::Tensor** out, char* err, size_t cap) {
  return nutorch::guarded(err, cap, [&] {
    auto la = list(a, n), lb = list(b, n), lc = list(c, n);
    auto ls = scalar_list(scalars, n);
    c10::Scalar scalar(s);
    std::vector<at::Tensor> result;
    switch (op) {
      case 0: at::_foreach_add_(la, lb, scalar); break;
      case 1: at::_foreach_mul_(la, scalar); break;
      case 2: at::_foreach_lerp_(la, lb, scalar); break;
      case 3: at::_foreach_addcmul_(la, lb, lc, scalar); break;
      case 4: at::_foreach_maximum_(la, lb); break;
      case 5: at::_foreach_div_(la, ls); break;
      case 6: at::_foreach_add_(la, scalar); break;
      case 7: at::_foreach_addcdiv_(la, lb, lc, ls); break;
      case 8: result = at::_foreach_add(la, lb, scalar); break;
      case 9: result = at::_foreach_sqrt(la); break;
      default: std::snprintf(err, cap, "unknown foreach op %d", op); return -1;
    }
    if (op >= 8) {
      if (result.size() != n) {
        std::snprintf(err, cap, "foreach op %d gave %zu tensors for %zu", op, result.size(), n);
        return -1;
      }
      for (size_t i = 0; i < n; ++i) out[i] = new at::Tensor(std::move(result[i]));
    }
    return 0;
  });
}

}  // extern "C"
