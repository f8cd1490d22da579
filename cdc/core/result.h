// Result<T> and Error: the error model of all sluice code. Our code never throws; an Error
// carries a small code (which decides retry / stop / fail-fast) and a message with context.
// Shaped like std::expected so that C++23 can replace it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace cdc {

enum class Errc : uint8_t {
  truncated,  // bad bytes from a source: stop that source, keep the position
  malformed,
  unsupported,
  io,  // environment: retry with backoff
  timeout,
  unavailable,
  invalid_config,  // operator must act: fail fast at startup
  auth,
  fenced,    // another instance owns the pipeline's sink transaction: stop
  internal,  // our bug
};

std::string_view to_string(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;

  // Connection-level failures are retried by the runner with backoff; all others stop.
  bool retryable() const {
    return code == Errc::io || code == Errc::timeout || code == Errc::unavailable;
  }
  // Prefixes the message with where the error happened: "TABLE_MAP at mysql-bin.000042:1337: ...".
  Error with_context(std::string_view context) && {
    message = std::string(context) + ": " + message;
    return std::move(*this);
  }
  Error with_context(std::string_view context) const& { return Error(*this).with_context(context); }
  std::string to_string() const;
};

inline Error make_error(Errc code, std::string message) { return Error{code, std::move(message)}; }

template <class T = void>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace cdc

// Returns the error of `expr` from the enclosing function.
#define CDC_TRY(expr)                            \
  do {                                           \
    if (auto cdc_try_r_ = (expr); !cdc_try_r_) { \
      return std::move(cdc_try_r_).error();      \
    }                                            \
  } while (false)

#define CDC_CONCAT_INNER_(a, b) a##b
#define CDC_CONCAT_(a, b) CDC_CONCAT_INNER_(a, b)

// `CDC_TRY_ASSIGN(auto x, f());` declares x from f()'s value or returns f()'s error.
#define CDC_TRY_ASSIGN(decl, expr) \
  CDC_TRY_ASSIGN_IMPL_(CDC_CONCAT_(cdc_try_a_, __LINE__), decl, expr)
#define CDC_TRY_ASSIGN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                          \
  if (!tmp) return std::move(tmp).error();    \
  decl = std::move(tmp).value()

// Invariant that holds in all builds; a violation is our bug and aborts with the reason.
#define CDC_CHECK(cond, why)                                          \
  do {                                                                \
    if (!(cond)) ::cdc::check_failed(#cond, why, __FILE__, __LINE__); \
  } while (false)

namespace cdc {
[[noreturn]] void check_failed(const char* cond, const char* why, const char* file, int line);
}
