// Overflow-checked integer arithmetic: the GCC/Clang builtins where they exist, else the same
// test written out (MSVC). Each returns true when x op y does not fit in T, else stores it.
#pragma once
#include <limits>
#include <type_traits>

namespace seqcore {

template <typename T>
inline bool mul_overflows(T x, T y, T* r) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_mul_overflow(x, y, r);
#else
  static_assert(std::is_integral<T>::value, "integers only");
  using L = std::numeric_limits<T>;
  bool over = false;
  if (x != 0 && y != 0) {
    if (std::is_signed<T>::value) {
      if (x > 0)
        over = y > 0 ? x > L::max() / y : y < L::min() / x;
      else
        over = y > 0 ? x < L::min() / y : x != 0 && y < L::max() / x;
    } else {
      over = x > L::max() / y;
    }
  }
  if (!over) *r = static_cast<T>(x * y);
  return over;
#endif
}

template <typename T>
inline bool add_overflows(T x, T y, T* r) {
#if defined(__GNUC__) || defined(__clang__)
  return __builtin_add_overflow(x, y, r);
#else
  static_assert(std::is_integral<T>::value, "integers only");
  using L = std::numeric_limits<T>;
  const bool over =
      std::is_signed<T>::value ? (y > 0 && x > L::max() - y) || (y < 0 && x < L::min() - y) : x > L::max() - y;
  if (!over) *r = static_cast<T>(x + y);
  return over;
#endif
}

}  // namespace seqcore
