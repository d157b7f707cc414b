// Plain HTTP values shared by the pool and its callers. No Beast here: it stays in pool.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sqs::http {

struct Header {
  std::string name;
  std::string value;
};

// Where requests go: scheme, host and port, parsed once from a URL.
struct Endpoint {
  bool tls = false;
  std::string host;         // DNS name or IP literal, without brackets
  std::uint16_t port = 0;   // explicit or the scheme's default
  std::string host_header;  // value of the Host header: host, plus ":port" when not default
  std::string path = "/";   // path of the URL ("/" when none)

  // Parses "http[s]://host[:port][/path]". On failure returns nullopt and sets *error.
  static std::optional<Endpoint> parse(std::string_view url, std::string* error = nullptr);
  // "https://host:port" — identifies the pool of connections.
  std::string origin() const;
};

// A URL's port digits as a port number: 1..65535, digits only (Boost.URL takes any digits and
// its port_number() wraps values over 65535); nullopt otherwise.
std::optional<std::uint16_t> parse_port(std::string_view digits);

// `url` as error messages may show it, quoted: whatever could be user info (from "://" to the
// last '@') replaced by "***", control and non-ASCII bytes escaped. What parse's errors show.
std::string redacted_url(std::string_view url);

struct Request {
  std::string method = "POST";
  std::string target = "/";
  std::vector<Header> headers;  // Host and Content-Length are set by the pool
  std::string body;
};

struct Response {
  int status = 0;
  std::vector<Header> headers;
  std::string body;
  // Case-insensitive lookup; empty when absent.
  std::string_view header(std::string_view name) const;
};

}  // namespace sqs::http
