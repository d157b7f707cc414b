// Endpoint parsing (Boost.URL) and the small helpers of the plain HTTP value types.
#include "http/types.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sqs::http {
namespace {

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

// The URL as error messages may show it: whatever could be user info is replaced by "***",
// whether or not the URL parses. A malformed URL's user info may hold '/', '?' or '#' (a
// password written unencoded), so the authority's end cannot be trusted: everything from the
// scheme to the LAST '@' of the whole text goes. (An '@' in a path over-redacts; an endpoint
// has no reason to carry one.) No secret goes into an error.
std::string redacted(std::string_view url) {
  std::string out(url);
  const auto scheme_end = out.find("://");
  const std::size_t start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto at = out.rfind('@');
  if (at != std::string::npos && at >= start) out.replace(start, at - start, "***");
  // Control characters and other bytes are shown escaped, never written to a terminal raw.
  std::string shown = "'";
  for (unsigned char c : out) {
    if (c >= 0x20 && c < 0x7f) {
      shown += static_cast<char>(c);
    } else {
      static constexpr char hex[] = "0123456789abcdef";
      shown += "\\x";
      shown += hex[c >> 4];
      shown += hex[c & 15];
    }
  }
  return shown + "'";
}

// Why a text is not a URL, in words: the first character no URL may hold where it stands, else
// what the parser said ("leftover" and the like).
std::string why_malformed(std::string_view url, const boost::system::error_code& ec) {
  constexpr std::string_view allowed =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%";
  const auto bad = url.find_first_not_of(allowed);
  if (bad == std::string_view::npos) return ec.message();
  // Not even one character of what could be user info is shown (see redacted()).
  const auto scheme_end = url.find("://");
  const std::size_t start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  const auto at = url.rfind('@');
  if (at != std::string_view::npos && bad >= start && bad < at) {
    return "the part before '@' holds a character not allowed in a URL";
  }
  const auto c = static_cast<unsigned char>(url[bad]);
  std::string what = c == ' '                  ? std::string("a space")
                     : (c >= 0x20 && c < 0x7f) ? "'" + std::string(1, static_cast<char>(c)) + "'"
                                               : "byte " + std::to_string(c);
  return what + " at offset " + std::to_string(bad) + " is not allowed in a URL";
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Fills `out` from a parsed URL; false (and *error) when the URL is not a usable endpoint.
bool fill(const boost::urls::url_view& u, Endpoint& out, std::string* error) {
  namespace urls = boost::urls;
  const std::string quoted = redacted(u.buffer());
  if (u.scheme_id() == urls::scheme::https) {
    out.tls = true;
  } else if (u.scheme_id() != urls::scheme::http) {
    return fail(error, "unsupported URL scheme '" + std::string(u.scheme()) + "' in " + quoted +
                           " (expected http or https)");
  }
  if (u.has_userinfo()) {
    return fail(error, "credentials in the URL are not supported: " + quoted);
  }
  if (u.has_query() || u.has_fragment()) {
    return fail(error, "an endpoint URL has no query or fragment: " + quoted);
  }

  std::string bracketed;  // the host as written in the authority (IPv6 in brackets)
  switch (u.host_type()) {
    case urls::host_type::name:
      out.host = u.host_name();
      // DNS names are case-insensitive: one spelling keeps one connection pool per origin.
      std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      bracketed = out.host;
      break;
    case urls::host_type::ipv4:
      out.host = u.host_ipv4_address().to_string();
      bracketed = out.host;
      break;
    case urls::host_type::ipv6:
      out.host = u.host_ipv6_address().to_string();
      bracketed = "[" + out.host + "]";
      break;
    default:
      break;
  }
  if (out.host.empty()) return fail(error, "missing host in URL " + quoted);
  // A host name is a DNS name, written as it is: host_name() is percent-decoded, and
  // "h%0d%0aX-Injected:%201" or "sqs%40evil" would put CR LF into the Host header or '@' into
  // the origin ("2.%362.1.1.1" an origin that is no URL).
  if (u.host_type() == urls::host_type::name &&
      u.encoded_host().find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                         "0123456789-._~") != std::string::npos) {
    return fail(error, "invalid host name in URL " + quoted);
  }

  // Boost.URL 1.81 accepts "http://h:port" (empty port, relative path "port"): refuse it.
  if (!u.encoded_path().empty() && u.encoded_path().front() != '/') {
    return fail(error, "malformed URL " + quoted);
  }
  const std::uint16_t default_port = out.tls ? 443 : 80;
  out.port = default_port;
  if (u.has_port() && !u.port().empty()) {
    const auto port = parse_port(u.port());
    if (!port) return fail(error, "invalid port in URL " + quoted);
    out.port = *port;
  }
  // SigV4 signs the Host header: like every AWS SDK, leave out the scheme's default port.
  out.host_header =
      out.port == default_port ? bracketed : bracketed + ":" + std::to_string(out.port);
  out.path = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
  return true;
}

}  // namespace

std::optional<std::uint16_t> parse_port(std::string_view digits) {
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::string redacted_url(std::string_view url) {
  return redacted(url);
}

std::optional<Endpoint> Endpoint::parse(std::string_view url, std::string* error) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    fail(error, "malformed URL " + redacted(url) + ": " + why_malformed(url, parsed.error()));
    return std::nullopt;
  }
  Endpoint endpoint;
  if (!fill(*parsed, endpoint, error)) return std::nullopt;
  return endpoint;
}

std::string Endpoint::origin() const {
  std::string out = tls ? "https://" : "http://";
  const bool ipv6 = host.find(':') != std::string::npos;
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string_view Response::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

}  // namespace sqs::http
