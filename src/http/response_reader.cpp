// See response_reader.hpp. Only the low-level basic_parser of Beast is used: its callbacks fill
// the Response directly.
#include "http/response_reader.hpp"

// GCC 12 with sanitizers reports a false -Wmaybe-uninitialized on boost::optional inside Beast's
// parser (inlined here, so the system-header exemption does not apply). For this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <optional>

namespace sqs::http {

namespace beast_http = boost::beast::http;
using boost::system::error_code;

class ResponseReader::Parser final : public beast_http::basic_parser<false> {
 public:
  Parser(Response& out, std::uint64_t max_body, bool head_request) : out_(out) {
    body_limit(max_body);
    header_limit(64 * 1024);
    eager(true);  // parse the body in the same call as the header when it is there already
    if (head_request) skip(true);
    out_.status = 0;
    out_.headers.clear();
    out_.headers.reserve(16);
    out_.body.clear();
  }

 private:
  void on_request_impl(beast_http::verb, boost::beast::string_view, boost::beast::string_view, int,
                       error_code&) override {}

  void on_response_impl(int code, boost::beast::string_view, int, error_code&) override {
    out_.status = code;
  }

  void on_field_impl(beast_http::field, boost::beast::string_view name,
                     boost::beast::string_view value, error_code&) override {
    out_.headers.push_back(
        Header{std::string(name.data(), name.size()), std::string(value.data(), value.size())});
  }

  void on_header_impl(error_code&) override {}

  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         error_code&) override {
    // The parser has already checked Content-Length against the body limit.
    if (content_length) out_.body.reserve(static_cast<std::size_t>(*content_length));
  }

  std::size_t on_body_impl(boost::beast::string_view body, error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_chunk_header_impl(std::uint64_t, boost::beast::string_view, error_code&) override {}

  std::size_t on_chunk_body_impl(std::uint64_t, boost::beast::string_view body,
                                 error_code&) override {
    out_.body.append(body.data(), body.size());
    return body.size();
  }

  void on_finish_impl(error_code&) override {}

  Response& out_;
};

struct ResponseReader::State {
  std::optional<Parser> parser;
};

ResponseReader::ResponseReader() : state_(std::make_unique<State>()) {}
ResponseReader::~ResponseReader() = default;

void ResponseReader::start(Response& out, std::uint64_t body_limit, bool head_request) {
  state_->parser.emplace(out, body_limit, head_request);
}

std::size_t ResponseReader::feed(const char* data, std::size_t size, error_code& ec) {
  Parser& parser = *state_->parser;
  std::size_t used = 0;
  while (used < size && !parser.is_done()) {
    const std::size_t n = parser.put(boost::asio::const_buffer(data + used, size - used), ec);
    used += n;
    if (ec == beast_http::error::need_more) {
      ec = {};
      break;
    }
    if (ec || n == 0) break;
  }
  return used;
}

void ResponseReader::feed_eof(error_code& ec) {
  state_->parser->put_eof(ec);
}

bool ResponseReader::done() const {
  return state_->parser && state_->parser->is_done();
}

bool ResponseReader::keep_alive() const {
  return state_->parser->keep_alive();
}

}  // namespace sqs::http
