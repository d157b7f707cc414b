// See request_head.hpp.
#include "http/request_head.hpp"

#include <array>
#include <charconv>
#include <cstring>

namespace sqs::http {
namespace {

// RFC 9110 token characters (method and field names), as a table: one load per character.
constexpr std::array<bool, 256> kTokenChars = [] {
  std::array<bool, 256> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!kTokenChars[c]) return false;
  }
  return true;
}

// A field value or target may hold anything but the bytes that end a line. memchr is
// vectorised: three passes over a 200-byte Authorization value cost less than one byte loop.
bool is_line_safe(std::string_view s) {
  return std::memchr(s.data(), '\r', s.size()) == nullptr &&
         std::memchr(s.data(), '\n', s.size()) == nullptr &&
         std::memchr(s.data(), '\0', s.size()) == nullptr;
}

bool iequals_lower(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

bool write_request_head(const Endpoint& endpoint, const Request& request, std::string& out) {
  if (!is_token(request.method) || request.target.empty() || !is_line_safe(request.target) ||
      request.target.find(' ') != std::string::npos || !is_line_safe(endpoint.host_header)) {
    return false;
  }
  out.clear();
  out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\nHost: ");
  out.append(endpoint.host_header).append("\r\n");
  for (const Header& h : request.headers) {
    if (!is_token(h.name) || !is_line_safe(h.value)) return false;
    if (iequals_lower(h.name, "host") || iequals_lower(h.name, "content-length")) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  const bool bodiless_method = request.method == "GET" || request.method == "HEAD" ||
                               request.method == "DELETE" || request.method == "OPTIONS";
  if (!request.body.empty() || !bodiless_method) {
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, request.body.size()).ptr;
    out.append("Content-Length: ").append(digits, end).append("\r\n");
  }
  out.append("\r\n");
  return true;
}

}  // namespace sqs::http
