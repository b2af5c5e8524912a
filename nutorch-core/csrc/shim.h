// What the op shims (scalar_ops.cpp, indexing.cpp) share: the Python number they take and the
// way they report a C++ exception (its text in err, return -1).

#pragma once

#include <c10/core/Scalar.h>
#include <c10/util/Exception.h>

#include <cstdint>
#include <cstdio>
#include <exception>

extern "C" {

// A Python number: kind 0 an int (i), 1 a float (f), 2 a bool (i).
struct nutorch_scalar {
  int32_t kind;
  int64_t i;
  double f;
};

}  // extern "C"

namespace nutorch {

inline c10::Scalar scalar(nutorch_scalar s) {
  switch (s.kind) {
    case 0: return c10::Scalar(s.i);
    case 2: return c10::Scalar(s.i != 0);
    default: return c10::Scalar(s.f);
  }
}

// Runs body (returning 0 on success); a C++ exception becomes its text in err and -1.
template <class F>
int guarded(char* err, size_t cap, F&& body) {
  try {
    return body();
  } catch (const c10::Error& e) {
    std::snprintf(err, cap, "%s", e.what_without_backtrace());
    return -1;
  } catch (const std::exception& e) {
    std::snprintf(err, cap, "%s", e.what());
    return -1;
  }
}

}  // namespace nutorch
