// Helpers shared by the fuzz targets: invariant checks that abort (libFuzzer then saves the
// input as a crash), a guard that turns an escaping exception into a crash with its message, and
// a reference UTF-8 decoder written independently of the library's (Unicode 15, table 3-7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace sqs_fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line,
                              std::string_view detail = {}) {
  std::fprintf(stderr, "\n*** invariant failed: %s (%s:%d)\n", what, file, line);
  if (!detail.empty()) {  // control and non-ASCII bytes as \xNN, line breaks kept
    std::string shown;
    for (char ch : detail) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '\n' || (c >= 0x20 && c < 0x7F)) {
        shown += ch;
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02X", c);
        shown += buf;
      }
    }
    std::fprintf(stderr, "*** %s\n", shown.c_str());
  }
  std::abort();
}

// Runs `f`; an exception escaping it is a bug of the code under test (these parsers report
// errors as values), reported as a crash.
template <class F>
void no_exception(const char* where, F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    fail("no exception escapes", where, 0, e.what());
  } catch (...) {
    fail("no exception escapes", where, 0, "(not a std::exception)");
  }
}

// The code point of the well-formed UTF-8 sequence at s[i] and its length, or length 0 when the
// bytes there are not one. Written from the table of well-formed byte sequences (Unicode
// standard, table 3-7): each lead byte fixes the allowed range of the second byte.
struct Decoded {
  char32_t cp = 0;
  std::size_t length = 0;
};
inline Decoded utf8_at(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) -> int {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : -1;
  };
  auto in = [](int b, int lo, int hi) { return b >= lo && b <= hi; };
  const int b0 = at(0);
  if (in(b0, 0x00, 0x7F)) return {static_cast<char32_t>(b0), 1};
  int lo = 0x80, hi = 0xBF;
  std::size_t n = 0;
  if (in(b0, 0xC2, 0xDF)) {
    n = 2;
  } else if (b0 == 0xE0) {
    n = 3, lo = 0xA0;
  } else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
    n = 3;
  } else if (b0 == 0xED) {
    n = 3, hi = 0x9F;
  } else if (b0 == 0xF0) {
    n = 4, lo = 0x90;
  } else if (in(b0, 0xF1, 0xF3)) {
    n = 4;
  } else if (b0 == 0xF4) {
    n = 4, hi = 0x8F;
  } else {
    return {};
  }
  if (!in(at(1), lo, hi)) return {};
  for (std::size_t k = 2; k < n; ++k) {
    if (!in(at(k), 0x80, 0xBF)) return {};
  }
  const char32_t lead_bits = n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07;
  char32_t cp = static_cast<char32_t>(b0) & lead_bits;
  for (std::size_t k = 1; k < n; ++k) cp = cp * 64 + (static_cast<char32_t>(at(k)) - 0x80);
  return {cp, n};
}

inline bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const Decoded d = utf8_at(s, i);
    if (d.length == 0) return false;
    i += d.length;
  }
  return true;
}

// The characters SQS allows in a message body and in String/Number values.
inline bool sqs_allowed(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Where SQS would refuse `s`: npos when it is valid UTF-8 of allowed characters, else the offset
// of the first bad sequence or character; `not_utf8` says which of the two it is.
inline std::size_t first_refused(std::string_view s, bool& not_utf8) {
  for (std::size_t i = 0; i < s.size();) {
    const Decoded d = utf8_at(s, i);
    if (d.length == 0 || !sqs_allowed(d.cp)) {
      not_utf8 = d.length == 0;
      return i;
    }
    i += d.length;
  }
  return std::string_view::npos;
}

}  // namespace sqs_fuzz

#define FUZZ_CHECK(cond) \
  ((cond) ? static_cast<void>(0) : ::sqs_fuzz::fail(#cond, __FILE__, __LINE__))
#define FUZZ_CHECK_MSG(cond, detail) \
  ((cond) ? static_cast<void>(0) : ::sqs_fuzz::fail(#cond, __FILE__, __LINE__, (detail)))
