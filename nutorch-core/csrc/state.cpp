// What tch does not reach: the default random generators' state, a tensor's grad_fn and its
// autograd graph, and a tensor's storage. Compiled against libtorch's headers by
// build/core.rs; called from nutorch-core/src/state.rs. Tensors are torch-sys's `tensor`
// (an at::Tensor*). Every function catches C++ exceptions and reports them as text.

#include <ATen/Context.h>
#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <ATen/core/Generator.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/autograd/function.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace {

int fail(char* err, size_t cap, const char* msg) {
  if (cap > 0) {
    std::snprintf(err, cap, "%s", msg);
  }
  return -1;
}

// device < 0: the CPU generator; otherwise cuda:device.
at::Generator generator(int64_t device) {
  if (device < 0) {
    return at::globalContext().defaultGenerator(at::Device(at::kCPU));
  }
  return at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(device)));
}

}  // namespace

extern "C" {

// Number of CUDA devices, 0 without CUDA.
int64_t nutorch_cuda_device_count() {
  try {
    return at::hasCUDA() ? static_cast<int64_t>(at::detail::getCUDAHooks().deviceCount()) : 0;
  } catch (...) {
    return 0;
  }
}

// Whether this process has already used cuda:device (asking does not initialize CUDA).
int nutorch_cuda_initialized(int64_t device) {
  try {
    return at::hasCUDA() && at::detail::getCUDAHooks().hasPrimaryContext(static_cast<c10::DeviceIndex>(device)) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

// The generator's state as a new uint8 CPU tensor in *out.
int nutorch_rng_get_state(int64_t device, at::Tensor** out, char* err, size_t cap) {
  try {
    at::Generator gen = generator(device);
    std::lock_guard<std::mutex> lock(gen.mutex());
    *out = new at::Tensor(gen.get_state());
    return 0;
  } catch (const std::exception& e) {
    return fail(err, cap, e.what());
  }
}

int nutorch_rng_set_state(int64_t device, const at::Tensor* state, char* err, size_t cap) {
  try {
    at::Generator gen = generator(device);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(*state);
    return 0;
  } catch (const std::exception& e) {
    return fail(err, cap, e.what());
  }
}

// The name of the tensor's grad_fn (e.g. MulBackward0) into buf; 0 when it has none.
int64_t nutorch_grad_fn_name(const at::Tensor* t, char* buf, size_t cap) {
  try {
    const auto& fn = t->grad_fn();
    if (!fn) {
      return 0;
    }
    std::string name = fn->name();
    std::snprintf(buf, cap, "%s", name.c_str());
    return static_cast<int64_t>(name.size());
  } catch (...) {
    return 0;
  }
}

// out[i] = 1 when targets[i]'s grad_fn is part of the graph behind root (root's own included).
int nutorch_graph_reaches(const at::Tensor* root, const at::Tensor* const* targets, size_t n, uint8_t* out) {
  try {
    std::unordered_set<const torch::autograd::Node*> seen;
    std::vector<const torch::autograd::Node*> todo;
    if (root->grad_fn()) {
      todo.push_back(root->grad_fn().get());
    }
    while (!todo.empty()) {
      const torch::autograd::Node* node = todo.back();
      todo.pop_back();
      if (!seen.insert(node).second) {
        continue;
      }
      for (const auto& edge : node->next_edges()) {
        if (edge.function) {
          todo.push_back(edge.function.get());
        }
      }
    }
    for (size_t i = 0; i < n; i++) {
      const auto& fn = targets[i]->grad_fn();
      out[i] = fn && seen.count(fn.get()) ? 1 : 0;
    }
    return 0;
  } catch (...) {
    return -1;
  }
}

// An identity of the tensor's storage (shared by a tensor and its views), 0 without one.
uintptr_t nutorch_storage_id(const at::Tensor* t) {
  try {
    if (!t->defined() || !t->has_storage()) {
      return 0;
    }
    return reinterpret_cast<uintptr_t>(t->storage().unsafeGetStorageImpl());
  } catch (...) {
    return 0;
  }
}

// The element offset of the tensor in its storage, -1 without one.
int64_t nutorch_storage_offset(const at::Tensor* t) {
  try {
    if (!t->defined() || !t->has_storage()) {
      return -1;
    }
    return t->storage_offset();
  } catch (...) {
    return -1;
  }
}

// The address of the tensor's TensorImpl (shared by shallow copies), 0 when undefined.
uintptr_t nutorch_impl_id(const at::Tensor* t) {
  return t->defined() ? reinterpret_cast<uintptr_t>(t->unsafeGetTensorImpl()) : 0;
}

// A weak reference to the tensor's TensorImpl (nullptr when undefined): while it lives, the
// TensorImpl's memory is not freed, so no other TensorImpl gets its address; it does not keep
// the data alive, nor count as a use (in-place gradient accumulation stays in place).
void* nutorch_impl_pin(const at::Tensor* t) {
  try {
    if (!t->defined()) {
      return nullptr;
    }
    return new c10::weak_intrusive_ptr<c10::TensorImpl>(t->getIntrusivePtr());
  } catch (...) {
    return nullptr;
  }
}

void nutorch_impl_unpin(void* pin) {
  delete static_cast<c10::weak_intrusive_ptr<c10::TensorImpl>*>(pin);
}

// A new uint8 tensor over all of the tensor's storage, in *out: the bytes that the tensor and
// its views share, not a copy (writes through either are seen by both).
int nutorch_storage_bytes(const at::Tensor* t, at::Tensor** out, char* err, size_t cap) {
  try {
    if (!t->defined() || !t->has_storage()) {
      return fail(err, cap, "the tensor has no storage");
    }
    const c10::Storage& storage = t->storage();
    at::Tensor bytes = at::empty({0}, at::TensorOptions().dtype(at::kByte).device(t->device()));
    bytes.set_(storage, 0, {static_cast<int64_t>(storage.nbytes())}, {1});
    *out = new at::Tensor(bytes);
    return 0;
  } catch (const std::exception& e) {
    return fail(err, cap, e.what());
  }
}

}  // extern "C"
