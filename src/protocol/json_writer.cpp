#include "protocol/json_writer.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace sqs::protocol::detail {
namespace {

// For each byte: 0 = copy as is, otherwise the character after the backslash ('u' = \u00XX).
constexpr std::array<char, 256> make_escape_table() {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}
constexpr std::array<char, 256> kEscape = make_escape_table();

// True when one of the 8 bytes may need escaping (a control character, '"' or '\\'): the
// classic "has zero byte" / "has byte less than" bit tricks. They may report a byte that needs
// nothing (the caller then checks byte by byte) but never miss one.
inline bool may_need_escape(std::uint64_t x) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t quote = x ^ (kOnes * '"');
  const std::uint64_t backslash = x ^ (kOnes * '\\');
  const std::uint64_t control = (x - kOnes * 0x20) & ~x;
  const std::uint64_t zero_quote = (quote - kOnes) & ~quote;
  const std::uint64_t zero_backslash = (backslash - kOnes) & ~backslash;
  return ((control | zero_quote | zero_backslash) & kHigh) != 0;
}

// The first byte at or after p that needs escaping, or end.
const char* find_escape(const char* p, const char* const end) {
  for (;;) {
    while (end - p >= 8) {
      std::uint64_t x;
      std::memcpy(&x, p, 8);
      if (may_need_escape(x)) break;
      p += 8;
    }
    const char* const stop = end - p >= 8 ? p + 8 : end;
    while (p != stop && kEscape[static_cast<unsigned char>(*p)] == 0) ++p;
    if (p != stop || p == end) return p;
  }
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  // Copy runs of plain bytes in one append: message bodies rarely need any escaping.
  while (p != end) {
    const char* run = p;
    p = find_escape(p, end);
    out.append(run, p);
    if (p == end) break;
    const unsigned char c = static_cast<unsigned char>(*p++);
    const char e = kEscape[c];
    if (e != 'u') {
      const char pair[2] = {'\\', e};
      out.append(pair, 2);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
      out.append(u, 6);
    }
  }
  out.push_back('"');
}

}  // namespace sqs::protocol::detail
