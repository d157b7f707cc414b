// Fuzz target: the UTF-8 / SQS allowed-character checker (client::validate_body, the same check
// as String attribute values), with its 8-bytes-at-a-time ASCII fast path. DIFFERENTIAL against
// the reference decoder of fuzz_common.hpp (Unicode table 3-7; SQS allows #x9 #xA #xD
// #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF): same accept/refuse, and a refusal names the same
// byte offset and the same reason (not UTF-8, or a character SQS does not allow). The input is
// also checked at every alignment (the fast path reads 8-byte words).
#include <cstdint>
#include <string>
#include <string_view>

#include "client/validation.hpp"
#include "fuzz_common.hpp"

namespace {

void check(std::string_view body) {
  bool not_utf8 = false;
  const std::size_t bad = sqs_fuzz::first_refused(body, not_utf8);
  sqs::client::Check e;
  sqs_fuzz::no_exception(__FILE__, [&] { e = sqs::client::validate_body(body); });
  FUZZ_CHECK_MSG(e.has_value() == (bad != std::string_view::npos),
                 e ? e->message : "accepted; the reference refuses at byte " + std::to_string(bad));
  if (!e) return;
  FUZZ_CHECK(e->kind == sqs::ErrorKind::validation && e->code == "InvalidMessageContents");
  const std::string where = " at byte " + std::to_string(bad);
  const std::string why = not_utf8 ? "is not valid UTF-8" + where : "contains the character ";
  FUZZ_CHECK_MSG(e->message.find(why) != std::string::npos, e->message + " vs " + why);
  FUZZ_CHECK_MSG(e->message.find(where) != std::string::npos, e->message + " vs " + where);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  check(input);
  // Shifted by 1..7 bytes of ASCII: the word-wise fast path meets the input at every alignment
  // (offsets in messages move by the shift: compared on the shifted text).
  for (std::size_t shift = 1; shift < 8 && size <= 4096; ++shift) {
    check(std::string(shift, 'a') + input);
  }
  return 0;
}
