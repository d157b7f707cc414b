#include "protocol/json_writer.hpp"

#include <array>

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

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  const char* p = s.data();
  const char* const end = p + s.size();
  // Copy runs of plain bytes in one append: message bodies rarely need any escaping.
  while (p != end) {
    const char* run = p;
    while (p != end && kEscape[static_cast<unsigned char>(*p)] == 0) ++p;
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
