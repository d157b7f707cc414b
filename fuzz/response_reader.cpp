// Fuzz target: the HTTP/1.1 response reader (http::ResponseReader over Beast's basic_parser),
// driven exactly as http::Connection drives it: bytes arrive in reads of any size, the unparsed
// tail stays in the buffer and is presented again with the next read, and the end of the stream
// is reported with feed_eof. Several answers may follow one another on the stream (the reader is
// restarted on the same connection state for each).
//
// Input: 1 byte of options (HEAD request, end of stream at the end, body limit), 1 byte giving
// the number of read boundaries, 2 bytes per boundary, then the bytes the server sends.
// Invariants: nothing throws; feed never claims more than it was given; a finished answer has a
// 3-digit status, a body within the limit (and none for HEAD); and the outcome (every answer's
// status, headers, body and keep-alive, and whether it failed) does not depend on where the reads
// split the stream: the same stream delivered in one read, or one byte per read, gives the same
// result (but for when a malformed answer is refused: see same_outcome).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "http/response_reader.hpp"

namespace {

using sqs::http::Response;
using sqs::http::ResponseReader;

struct Options {
  bool head = false;
  bool eof = false;
  std::uint64_t body_limit = 0;
};

std::string describe(const Response& r, bool keep_alive) {
  std::string s = std::to_string(r.status) + (keep_alive ? " keep-alive\n" : " close\n");
  for (const auto& h : r.headers) s += h.name + ": " + h.value + "\n";
  s += std::to_string(r.body.size()) + " bytes: " + r.body + "\n";
  return s;
}

// Feeds `stream` cut at `cuts` (sorted offsets) and describes every answer parsed and how the
// stream ended.
std::string run(const std::string& stream, const std::vector<std::size_t>& cuts, const Options& o) {
  ResponseReader reader;
  Response response;
  std::string out;
  std::string buffer;  // received, not yet parsed
  std::size_t delivered = 0;
  std::size_t next_cut = 0;
  std::size_t answer_bytes = 0;  // bytes received while this answer was being read
  int answers = 0;
  reader.start(response, o.body_limit, o.head);
  for (;;) {
    if (!buffer.empty()) {
      boost::system::error_code ec;
      const std::size_t used = reader.feed(buffer.data(), buffer.size(), ec);
      FUZZ_CHECK(used <= buffer.size());
      buffer.erase(0, used);
      if (ec) return out + "error " + ec.message() + "\n";
      if (reader.done()) {
        // (Beast takes any 3 digits: "000" gives status 0, which the client treats as an error.)
        FUZZ_CHECK(response.status >= 0 && response.status <= 999);
        FUZZ_CHECK(response.body.size() <= o.body_limit);
        if (o.head) FUZZ_CHECK(response.body.empty());
        out += describe(response, reader.keep_alive());
        if (++answers == 4) return out + "stop\n";
        response = Response{};
        reader.start(response, o.body_limit, o.head);
        answer_bytes = buffer.size();
        if (!buffer.empty()) continue;
      }
    }
    if (delivered == stream.size()) break;
    // The next read: up to the next boundary past what was delivered, or the rest.
    while (next_cut < cuts.size() && cuts[next_cut] <= delivered) ++next_cut;
    const std::size_t end = next_cut < cuts.size() ? cuts[next_cut] : stream.size();
    buffer.append(stream, delivered, end - delivered);
    answer_bytes += end - delivered;
    delivered = end;
  }
  // (How much of an unfinished answer the parser took so far is its business: not compared.)
  if (!o.eof) return out + "waiting for more\n";
  if (answer_bytes == 0) return out + "closed between answers\n";
  boost::system::error_code ec;
  reader.feed_eof(ec);
  if (ec) return out + "eof error " + ec.message() + "\n";
  FUZZ_CHECK(reader.done());
  FUZZ_CHECK(response.body.size() <= o.body_limit);
  return out + describe(response, reader.keep_alive()) + "eof\n";
}

// Whether `split` (the outcome of a stream read in pieces) agrees with `whole` (the same stream
// in one read): the same answers, in the same order, with the same status, headers, body and
// keep-alive; but a malformed answer may be refused at a different point, or be still waiting
// for more, depending on the reads. (Beast checks the status line at once when the first read
// holds 8 bytes of it, but after asking for more it waits for the end of the header; and where
// it stops in a malformed chunk extension depends on where the reads end.) Refused or pending
// either way: never accepted in one case and not the other.
bool same_outcome(const std::string& split, const std::string& whole) {
  if (split == whole) return true;
  auto last_line = [](const std::string& s) {
    const auto nl = s.rfind('\n', s.size() - 2);
    return nl == std::string::npos ? 0 : nl + 1;
  };
  const std::size_t a = last_line(split), b = last_line(whole);
  if (split.compare(0, a, whole, 0, b) != 0) return false;  // the answers before the ending
  auto pending = [](std::string_view ending) {
    return ending.starts_with("error ") || ending.starts_with("eof error ") ||
           ending.starts_with("waiting ");
  };
  return pending(std::string_view(split).substr(a)) && pending(std::string_view(whole).substr(b));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  Options o;
  const auto flags = in.ConsumeIntegral<std::uint8_t>();
  o.head = (flags & 1) != 0;
  o.eof = (flags & 2) != 0;
  static constexpr std::uint64_t kLimits[] = {0, 1, 16, 1000, 64 * 1024, 1 << 20};
  o.body_limit = kLimits[(flags >> 2) % 6];
  const std::size_t n_cuts = in.ConsumeIntegralInRange<std::size_t>(0, 16);
  std::vector<std::size_t> cuts;
  for (std::size_t i = 0; i < n_cuts; ++i) cuts.push_back(in.ConsumeIntegral<std::uint16_t>());
  const std::string stream = in.ConsumeRemainingBytesAsString();
  for (std::size_t& cut : cuts) cut = stream.empty() ? 0 : cut % stream.size();
  std::sort(cuts.begin(), cuts.end());

  std::string split, whole, bytewise;
  sqs_fuzz::no_exception(__FILE__, [&] {
    split = run(stream, cuts, o);
    whole = run(stream, {}, o);
  });
  FUZZ_CHECK_MSG(same_outcome(split, whole),
                 "stream: " + stream + "\nsplit:\n" + split + "whole:\n" + whole);
  // One byte per read, the worst case of a slow peer (short streams only: it is quadratic).
  if (stream.size() <= 512) {
    std::vector<std::size_t> every;
    for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    sqs_fuzz::no_exception(__FILE__, [&] { bytewise = run(stream, every, o); });
    FUZZ_CHECK_MSG(same_outcome(bytewise, whole),
                   "stream: " + stream + "\nbyte by byte:\n" + bytewise + "whole:\n" + whole);
  }
  return 0;
}
