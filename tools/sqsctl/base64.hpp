// Standard base64 (RFC 4648 §4, with padding), the encoding SQS uses for Binary attribute
// values, on top of OpenSSL's EVP block functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sqsctl {

std::string base64_encode(std::string_view bytes);

// The decoded bytes, or nullopt when `text` is not canonical padded base64 (wrong alphabet,
// length not a multiple of 4, padding in the middle, whitespace).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace sqsctl
