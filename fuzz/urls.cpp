// Fuzz target: the URL validators — http::Endpoint::parse (endpoint URLs from the user's config,
// the environment, --endpoint) and the queue-URL check of client::validate (any request with a
// queue URL, here SendMessage, DeleteQueue and ReceiveMessage). Input: the URL.
// Invariants: nothing throws;
// - NO SECRET IN ERRORS: whatever could be user info — the text between "://" and the last '@'
//   — never appears in an error message, however malformed the URL (checked when it is at least
//   4 characters long and does not also occur in the rest of the URL, redacted);
// - a parsed endpoint has a host, a port, a path starting with '/', no user info, and its
//   origin() parses back to the same scheme, host and port;
// - an accepted queue URL is an http(s) URL that Endpoint::parse accepts too, and holds no
//   space, control or non-ASCII byte; a refused one is MissingQueueUrl or InvalidAddress.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "client/validation.hpp"
#include "fuzz_common.hpp"
#include "http/types.hpp"

namespace {

// `s` as error messages show URLs: control and non-ASCII bytes as \xNN.
std::string escaped(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

// The part of `url` that may be user info and must not leak, or empty when there is none to
// check (too short to tell, or present elsewhere in the URL).
std::string secret_of(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const std::size_t start = scheme_end + 3;
  const auto at = url.rfind('@');
  if (at == std::string_view::npos || at < start || at - start < 4) return {};
  const std::string secret(url.substr(start, at - start));
  // Not a secret when it also shows in the URL as redacted ("***" in place of the user info).
  // (Quoted, as messages show URLs.)
  const std::string rest =
      "'" + std::string(url.substr(0, start)) + "***" + std::string(url.substr(at)) + "'";
  if (rest.find(secret) != std::string::npos) return {};
  if (escaped(rest).find(escaped(secret)) != std::string::npos) return {};
  return secret;
}

// The URL with the user-info part's letters and digits changed, class for class (hex letters
// stay hex letters, digits stay digits): it parses the same way, and a message that shows the
// user info shows the changed text in its place. A message that only happens to hold the same
// text (the fuzzer is good at writing "InvalidAddress@") does not change with it.
std::string disguised(std::string_view url, std::string_view secret) {
  std::string out(url);
  const std::size_t start = url.find("://") + 3;
  auto turn = [](char c, char first, char last) {
    return static_cast<char>(c == last ? first : c + 1);
  };
  for (std::size_t i = start; i < start + secret.size(); ++i) {
    char& c = out[i];
    if (c >= 'a' && c <= 'f') {
      c = turn(c, 'a', 'f');
    } else if (c >= 'A' && c <= 'F') {
      c = turn(c, 'A', 'F');
    } else if (c >= 'g' && c <= 'z') {
      c = turn(c, 'g', 'z');
    } else if (c >= 'G' && c <= 'Z') {
      c = turn(c, 'G', 'Z');
    } else if (c >= '0' && c <= '9') {
      c = turn(c, '0', '9');
    }
  }
  return out;
}

// Every message the validators give for `url` (empty strings where they accept it).
struct Messages {
  std::string endpoint, queue, queue_full;
};
Messages messages_of(const std::string& url) {
  Messages m;
  sqs::http::Endpoint::parse(url, &m.endpoint);
  sqs::SendMessageRequest send;
  send.queue_url = url;
  send.message_body = "x";
  if (const auto e = sqs::client::validate(send, sqs::client::Limits{})) {
    m.queue = e->message;
    m.queue_full = e->to_string();
  }
  return m;
}

bool shows(const std::string& message, const std::string& secret) {
  return message.find(secret) != std::string::npos ||
         message.find(escaped(secret)) != std::string::npos;
}

// NO SECRET IN ERRORS (see the top of the file).
void no_leak(const std::string& url, const std::string& secret, const Messages& m) {
  if (secret.empty()) return;
  const std::string other_url = disguised(url, secret);
  const std::string other_secret = secret_of(other_url);
  const bool changed = !other_secret.empty() && other_secret != secret;
  // Without a letter or digit a "secret" cannot be told from the punctuation around it.
  if (!changed) return;
  std::optional<Messages> other;
  for (auto field : {&Messages::endpoint, &Messages::queue, &Messages::queue_full}) {
    if (!shows(m.*field, secret)) continue;
    if (changed) {
      if (!other) other = messages_of(other_url);
      if (!shows((*other).*field, other_secret)) continue;  // a coincidence, not the input
    }
    sqs_fuzz::fail("no user info in error messages", __FILE__, __LINE__,
                   "user info of '" + url + "' in the message: " + m.*field);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string url(reinterpret_cast<const char*>(data), size);
  const std::string secret = secret_of(url);
  sqs_fuzz::no_exception(__FILE__, [&] {
    std::string error;
    const auto endpoint = sqs::http::Endpoint::parse(url, &error);
    if (endpoint) {
      FUZZ_CHECK(!endpoint->host.empty());
      FUZZ_CHECK(endpoint->port != 0);
      FUZZ_CHECK(!endpoint->path.empty() && endpoint->path.front() == '/');
      FUZZ_CHECK(!endpoint->host_header.empty());
      std::string again_error;
      const auto again = sqs::http::Endpoint::parse(endpoint->origin(), &again_error);
      FUZZ_CHECK_MSG(again.has_value(), endpoint->origin() + ": " + again_error);
      FUZZ_CHECK(again->tls == endpoint->tls && again->host == endpoint->host &&
                 again->port == endpoint->port && again->host_header == endpoint->host_header);
    } else {
      FUZZ_CHECK(!error.empty());
    }

    const sqs::client::Limits limits;
    sqs::SendMessageRequest send;
    send.queue_url = url;
    send.message_body = "x";
    if (sqs::client::is_fifo_url(url)) send.message_group_id = "g";
    const auto checked = sqs::client::validate(send, limits);
    const auto deleted = sqs::client::validate(sqs::DeleteQueueRequest{url}, limits);
    const auto received =
        sqs::client::validate(sqs::ReceiveMessageRequest{.queue_url = url}, limits);
    FUZZ_CHECK(checked.has_value() == deleted.has_value());
    FUZZ_CHECK(checked.has_value() == received.has_value());
    if (checked) {
      FUZZ_CHECK(checked->kind == sqs::ErrorKind::validation);
      FUZZ_CHECK_MSG(checked->code == "MissingQueueUrl" || checked->code == "InvalidAddress",
                     checked->code + ": " + checked->message);
      // (Codes, not messages: Boost.URL 1.81 does not always give the same reason for the same
      // malformed IPv6 literal, "invalid" once and "mismatch" the next time.)
      FUZZ_CHECK(checked->code == deleted->code && checked->code == received->code);
      no_leak(url, secret, messages_of(url));
    } else {
      // (Known exceptions: an IPvFuture host, "http://[v1.x]/q", and a host name that is not a DNS
      // name, "http://a%40b/1/q", "http://a;b/1/q", pass the queue-URL check, but no
      // endpoint may have them. Harmless: requests go to the configured endpoint, never to the
      // queue URL's host. Reported.)
      const std::size_t host_start = url.find("://") + 3;
      const std::string authority = url.substr(host_start, url.find('/', host_start) - host_start);
      const bool odd_host = authority.starts_with("[v") || authority.starts_with("[V") ||
                            authority.find_first_not_of(
                                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789-._~:[]") != std::string::npos;
      FUZZ_CHECK_MSG(endpoint.has_value() || odd_host,
                     "queue URL accepted, endpoint refused: " + error);
      std::string scheme = url.substr(0, 8);
      for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      FUZZ_CHECK(scheme.starts_with("http://") || scheme.starts_with("https://"));
      for (char c : url) {
        const auto b = static_cast<unsigned char>(c);
        FUZZ_CHECK_MSG(b > 0x20 && b < 0x7F, "accepted queue URL with byte " + std::to_string(b));
      }
    }
  });
  return 0;
}
