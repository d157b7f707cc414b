// Incremental HTTP/1.1 response parser writing straight into an http::Response (status, headers,
// body): no intermediate Beast message, no copy of the headers. This is the only place Beast is
// used (its parser is correct on chunked encoding, obsolete line folding, limits...); the header
// stays free of Beast so that the rest of the layer compiles fast.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/system/error_code.hpp>

#include "http/types.hpp"

namespace sqs::http {

class ResponseReader {
 public:
  ResponseReader();
  ~ResponseReader();
  ResponseReader(const ResponseReader&) = delete;
  ResponseReader& operator=(const ResponseReader&) = delete;

  // Begins a new response, parsed into `out` (which must outlive the parse). `body_limit` bounds
  // the body; `head_request`: the request was HEAD, so the answer has no body whatever its
  // Content-Length says.
  void start(Response& out, std::uint64_t body_limit, bool head_request);

  // Parses as much of [data, data + size) as possible and returns the number of bytes used; the
  // caller keeps the rest and presents it again with more input. Sets `ec` on a malformed or
  // oversized answer (Beast's http::error codes).
  std::size_t feed(const char* data, std::size_t size, boost::system::error_code& ec);

  // The peer closed the stream: completes a body delimited by the end of the connection, or sets
  // `ec` (partial_message) when the answer is cut short. Only after at least one byte was fed.
  void feed_eof(boost::system::error_code& ec);

  bool done() const;
  // After done(): whether the connection may carry another request (HTTP/1.1 without
  // "Connection: close", or HTTP/1.0 with keep-alive; never for a body delimited by EOF).
  bool keep_alive() const;

 private:
  class Parser;
  struct State;
  // Allocated once per connection; holds the parser, re-created in place per response (a Beast
  // parser is single-use).
  std::unique_ptr<State> state_;
};

}  // namespace sqs::http
