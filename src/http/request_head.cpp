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

// Copies `s` at `p` and returns the end: the head is sized once and filled with memcpy, which
// costs a fraction of two dozen std::string::append calls.
static char* put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

bool write_request_head(const Endpoint& endpoint, const Request& request, std::string& out) {
  if (!is_token(request.method) || request.target.empty() || !is_line_safe(request.target) ||
      request.target.find(' ') != std::string::npos || !is_line_safe(endpoint.host_header)) {
    return false;
  }
  constexpr std::string_view kVersion = " HTTP/1.1\r\nHost: ";
  constexpr std::string_view kLength = "Content-Length: ";
  std::size_t size = request.method.size() + 1 + request.target.size() + kVersion.size() +
                     endpoint.host_header.size() + 2 + kLength.size() + 20 + 4;
  for (const Header& h : request.headers) {
    if (!is_token(h.name) || !is_line_safe(h.value)) return false;
    size += h.name.size() + h.value.size() + 4;
  }
  out.resize(size);
  char* p = out.data();
  p = put(p, request.method);
  *p++ = ' ';
  p = put(p, request.target);
  p = put(p, kVersion);
  p = put(p, endpoint.host_header);
  p = put(p, "\r\n");
  for (const Header& h : request.headers) {
    if (iequals_lower(h.name, "host") || iequals_lower(h.name, "content-length")) continue;
    p = put(p, h.name);
    p = put(p, ": ");
    p = put(p, h.value);
    p = put(p, "\r\n");
  }
  const bool bodiless_method = request.method == "GET" || request.method == "HEAD" ||
                               request.method == "DELETE" || request.method == "OPTIONS";
  if (!request.body.empty() || !bodiless_method) {
    p = put(p, kLength);
    p = std::to_chars(p, p + 20, request.body.size()).ptr;
    p = put(p, "\r\n");
  }
  p = put(p, "\r\n");
  out.resize(static_cast<std::size_t>(p - out.data()));
  return true;
}

}  // namespace sqs::http
