// Fuzz target: the decoder of SQS error answers (protocol::decode_error) and the retry
// classification (protocol::classify). Input: 2 bytes of HTTP status, then the
// x-amzn-query-error header value and the request id (FuzzedDataProvider strings), then the body.
// Invariants: nothing throws; the error is a service error with the given status and request id,
// a non-empty code without namespace (no '#', no ':', no surrounding blanks) and a non-empty
// message; the sender-fault flag follows the header, or the status without one; classify is
// idempotent and agrees with the documented rules (429 throttles; 500/502/503/504 retry;
// throttling implies retryable); a body that is not a JSON object gives a message that is
// either the "HTTP N without a message" text or an excerpt without control characters.
#include <fuzzer/FuzzedDataProvider.h>

#include <boost/json/parse.hpp>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "protocol/codec.hpp"

namespace {

bool clean_code(std::string_view code) {
  if (code.find_first_of("#:") != std::string_view::npos) return false;
  if (code.empty()) return true;
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  return !blank(code.front()) && !blank(code.back());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  // Mostly real statuses, sometimes anything an int16 holds (a broken server or proxy).
  const auto raw = in.ConsumeIntegral<std::uint16_t>();
  const int status = (raw & 0x8000) != 0 ? static_cast<std::int16_t>(raw) : raw % 1000;
  const std::string header = in.ConsumeRandomLengthString(512);
  const std::string request_id = in.ConsumeRandomLengthString(128);
  const std::string body = in.ConsumeRemainingBytesAsString();

  sqs::Error e;
  sqs_fuzz::no_exception(
      __FILE__, [&] { e = sqs::protocol::decode_error(status, body, header, request_id); });

  FUZZ_CHECK(e.kind == sqs::ErrorKind::service);
  FUZZ_CHECK(e.http_status == status);
  FUZZ_CHECK(e.request_id == request_id);
  FUZZ_CHECK(!e.code.empty());
  FUZZ_CHECK_MSG(clean_code(e.code), e.code);
  FUZZ_CHECK_MSG(clean_code(e.query_code), e.query_code);
  FUZZ_CHECK(!e.message.empty());

  // Sender fault: "...;Sender" / "...;Receiver" in the header, else a 4xx status.
  const auto semi = header.find(';');
  const std::string fault = semi == std::string::npos ? "" : header.substr(semi + 1);
  if (fault == "Sender") {
    FUZZ_CHECK(e.sender_fault);
  } else if (fault == "Receiver") {
    FUZZ_CHECK(!e.sender_fault);
  } else {
    FUZZ_CHECK(e.sender_fault == (status >= 400 && status < 500));
  }

  // Classification.
  FUZZ_CHECK(!e.throttling || e.retryable);
  if (status == 429) FUZZ_CHECK(e.throttling);
  if (status == 500 || status == 502 || status == 503 || status == 504) FUZZ_CHECK(e.retryable);
  sqs::Error again = e;
  sqs::protocol::classify(again);
  FUZZ_CHECK(again.retryable == e.retryable && again.throttling == e.throttling);
  // Other kinds: transport and timeout retry, the rest never does.
  for (auto kind : {sqs::ErrorKind::transport, sqs::ErrorKind::timeout, sqs::ErrorKind::validation,
                    sqs::ErrorKind::protocol}) {
    sqs::Error other = e;
    other.kind = kind;
    sqs::protocol::classify(other);
    const bool transient = kind == sqs::ErrorKind::transport || kind == sqs::ErrorKind::timeout;
    FUZZ_CHECK(other.retryable == transient && !other.throttling);
  }

  // Not a JSON object: the message comes from the status or is a cleaned excerpt of the body.
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    if (e.message != "HTTP " + std::to_string(status) + " without a message") {
      FUZZ_CHECK(!body.empty());
      FUZZ_CHECK(e.message.size() <= 256 + 3);
      for (char c : e.message) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20);
    }
  }
  return 0;
}
