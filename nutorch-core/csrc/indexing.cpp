// Python-style indexing, x[1:3, ..., None, mask] and x[idx] = v: at::indexing's TensorIndex,
// the code Python's Tensor.__getitem__ and __setitem__ call, so that every rule (negative
// bounds, steps, None, Ellipsis, bool scalars, masks, integer tensors, broadcasting on
// assignment) is PyTorch's own. Compiled with state.cpp by build/core.rs; called from
// nutorch-core/src/indexing.rs. Every function catches C++ exceptions and reports them as text.

#include <ATen/TensorIndexing.h>
#include <ATen/core/Tensor.h>

#include <vector>

#include "shim.h"

extern "C" {

// One index item. kind: 0 an int (i), 1 a slice (start, stop, step, each present when its
// has_ flag is set), 2 None, 3 Ellipsis, 4 a bool (i), 5 a tensor (tensor).
struct nutorch_index {
  int32_t kind;
  int64_t i;
  int64_t start;
  int64_t stop;
  int64_t step;
  int32_t has_start;
  int32_t has_stop;
  int32_t has_step;
  const at::Tensor* tensor;
};

}  // extern "C"

namespace {

std::vector<at::indexing::TensorIndex> items(const nutorch_index* index, size_t n) {
  using at::indexing::Slice;
  using at::indexing::TensorIndex;
  std::vector<TensorIndex> out;
  out.reserve(n + 1);
  for (size_t k = 0; k < n; ++k) {
    const nutorch_index& it = index[k];
    switch (it.kind) {
      case 0: out.emplace_back(it.i); break;
      case 1: {
        std::optional<c10::SymInt> start, stop, step;
        if (it.has_start) start = c10::SymInt(it.start);
        if (it.has_stop) stop = c10::SymInt(it.stop);
        if (it.has_step) step = c10::SymInt(it.step);
        out.emplace_back(Slice(start, stop, step));
        break;
      }
      case 2: out.emplace_back(std::nullopt); break;
      case 3: out.emplace_back(at::indexing::Ellipsis); break;
      case 4: out.emplace_back(it.i != 0); break;
      case 5: out.emplace_back(*it.tensor); break;
      default: throw std::runtime_error("unknown index kind");
    }
  }
  // x[()] is the whole tensor, as x[...] (at::Tensor::index refuses an empty list).
  if (out.empty()) out.emplace_back(at::indexing::Ellipsis);
  return out;
}

}  // namespace

extern "C" {

// self[index]: a new at::Tensor* in *out (a view where PyTorch gives one).
int nutorch_getitem(const at::Tensor* self, const nutorch_index* index, size_t n, at::Tensor** out, char* err,
                    size_t cap) {
  return nutorch::guarded(err, cap, [&] {
    *out = new at::Tensor(self->index(items(index, n)));
    return 0;
  });
}

// self[index] = value (a tensor, or the number when value is null), in place.
int nutorch_setitem(at::Tensor* self, const nutorch_index* index, size_t n, const at::Tensor* value,
                    nutorch_scalar number, char* err, size_t cap) {
  return nutorch::guarded(err, cap, [&] {
    auto list = items(index, n);
    if (value != nullptr) {
      self->index_put_(list, *value);
    } else {
      self->index_put_(list, nutorch::scalar(number));
    }
    return 0;
  });
}

}  // extern "C"
