// Base64 (RFC 4648, standard alphabet, padded) for Binary message attribute values, which SQS
// carries as base64 strings in JSON.
#pragma once

#include <string>
#include <string_view>

namespace sqs::protocol {

// Appends the base64 encoding of `bytes` to `out`.
void base64_append(std::string& out, std::string_view bytes);
std::string base64_encode(std::string_view bytes);

// Decodes `text` into `out` (replacing its content). Accepts missing padding; rejects any
// character outside the alphabet (whitespace included) and misplaced '='. Returns false on
// invalid input, leaving `out` unspecified.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace sqs::protocol
