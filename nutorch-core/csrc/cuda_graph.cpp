// CUDA graphs for training loops: a side stream to run on, and one captured step replayed as a
// single launch (at::cuda::CUDAGraph, what torch.cuda.graph uses). Streams and events go through
// c10's device-generic interface, so only CUDAGraph needs libtorch_cuda's symbols and nothing
// needs the CUDA runtime's. Built with NUTORCH_CUDA_GRAPHS when libtorch's CUDA headers and the
// CUDA runtime headers are there (build/core.rs); otherwise every call says graphs are not
// available. Called from nutorch-core/src/cuda_graph.rs; C++ exceptions are reported as text.

#include "shim.h"

#include <cstdint>
#include <memory>

#ifdef NUTORCH_CUDA_GRAPHS
#include <ATen/cuda/CUDAGraph.h>
#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>

namespace {

struct Session {
  c10::Device device;
  c10::Device previous_device;
  c10::Stream original;
  c10::Stream side;
  std::unique_ptr<at::cuda::CUDAGraph> graph;
  bool capturing = false;
};

// `waiter` waits (on the device) for what is queued on `done` so far.
void join(const c10::Stream& done, const c10::Stream& waiter) {
  c10::Event event(c10::DeviceType::CUDA);
  event.record(done);
  event.block(waiter);
}

}  // namespace
#else
namespace {

int unavailable(char* err, size_t cap) {
  std::snprintf(err, cap, "this build of nutorch has no CUDA graphs");
  return -1;
}

}  // namespace
#endif

extern "C" {

int nutorch_cuda_graphs_built() {
#ifdef NUTORCH_CUDA_GRAPHS
  return 1;
#else
  return 0;
#endif
}

// Makes a stream from libtorch's pool the current stream of `device` (and `device` the current
// device), after the work already queued on the current stream.
int nutorch_side_stream_begin(int64_t device, void** session, char* err, size_t cap) {
#ifdef NUTORCH_CUDA_GRAPHS
  return nutorch::guarded(err, cap, [&] {
    c10::impl::VirtualGuardImpl impl(c10::DeviceType::CUDA);
    c10::Device dev(c10::DeviceType::CUDA, static_cast<c10::DeviceIndex>(device));
    c10::Device previous = impl.exchangeDevice(dev);
    c10::Stream original = impl.getStream(dev);
    c10::Stream side = impl.getStreamFromGlobalPool(dev, false);
    join(original, side);
    impl.exchangeStream(side);
    *session = new Session{dev, previous, original, side, nullptr};
    return 0;
  });
#else
  (void)device;
  (void)session;
  return unavailable(err, cap);
#endif
}

// Back to the original stream, which waits for the side stream's work; frees the session and
// its graph (a capture still open is ended and dropped).
int nutorch_side_stream_end(void* session, char* err, size_t cap) {
#ifdef NUTORCH_CUDA_GRAPHS
  auto* s = static_cast<Session*>(session);
  int rc = nutorch::guarded(err, cap, [&] {
    if (s->capturing) {
      s->capturing = false;
      try {
        s->graph->capture_end();
      } catch (...) {
      }
    }
    c10::impl::VirtualGuardImpl impl(c10::DeviceType::CUDA);
    join(s->side, s->original);
    impl.exchangeStream(s->original);
    impl.exchangeDevice(s->previous_device);
    return 0;
  });
  delete s;
  return rc;
#else
  (void)session;
  return unavailable(err, cap);
#endif
}

// op 0: begin capturing what is launched on the side stream into a new graph (the work is
// recorded, not run); 1: end the capture (the graph is ready to replay); 2: replay it.
int nutorch_graph_op(void* session, int32_t op, char* err, size_t cap) {
#ifdef NUTORCH_CUDA_GRAPHS
  auto* s = static_cast<Session*>(session);
  return nutorch::guarded(err, cap, [&] {
    switch (op) {
      case 0:
        s->graph = std::make_unique<at::cuda::CUDAGraph>();
        s->capturing = true;
        s->graph->capture_begin();
        return 0;
      case 1:
        s->capturing = false;
        try {
          s->graph->capture_end();
        } catch (...) {
          s->graph.reset();
          throw;
        }
        return 0;
      case 2:
        if (!s->graph || s->capturing) {
          std::snprintf(err, cap, "no captured graph to replay");
          return -1;
        }
        s->graph->replay();
        return 0;
      default:
        std::snprintf(err, cap, "unknown graph op %d", op);
        return -1;
    }
  });
#else
  (void)session;
  (void)op;
  return unavailable(err, cap);
#endif
}

}  // extern "C"
