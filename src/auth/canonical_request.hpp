// The pieces of a SigV4 canonical request: URI encoding, canonical path, canonical query
// string and canonical headers. Pure string functions, appended into caller-owned buffers so
// the signer can build the whole canonical request in one allocation.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sqs::auth {

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

// Percent-encodes every byte except the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), with
// upper-case hex; '/' is kept when !encode_slash (paths).
void append_uri_encoded(std::string& out, std::string_view s, bool encode_slash);
std::string uri_encode(std::string_view s, bool encode_slash);

// `path` is the raw (decoded) path. With normalize, dot segments are removed (RFC 3986 5.2.4)
// and empty segments dropped, keeping a trailing '/'; each segment is then URI-encoded once.
// An empty path is "/".
void append_canonical_uri(std::string& out, std::string_view path, bool normalize);

// `query` is the query string as sent (without '?'). Each name and value is percent-decoded
// then re-encoded by the SigV4 rules (so already-encoded and raw input give the same result;
// '+' is a literal plus, not a space), a missing '=' gives an empty value, and the pairs are
// sorted by encoded name then encoded value.
void append_canonical_query(std::string& out, std::string_view query);

// Appends one "name:value\n" line per distinct header name (lower-cased, sorted; values of a
// repeated name joined by ',' in their order; each value trimmed with inner whitespace runs,
// folded lines included, collapsed to one space) and writes the ';'-separated signed-header
// list. `extra` are headers the signer adds (lower-case names, canonical
// values); a header of `headers` with one of those names, or named Authorization, is dropped.
// The list is appended to `signed_headers` (which may already hold other text).
void append_canonical_headers(std::string& out, std::string& signed_headers,
                              std::span<const HeaderView> headers,
                              std::span<const HeaderView> extra);

}  // namespace sqs::auth
