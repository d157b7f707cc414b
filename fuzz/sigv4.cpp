// Fuzz target: SigV4 canonicalisation and signing (auth/canonical_request.hpp, auth/sigv4.hpp)
// of arbitrary methods, paths, queries, header names and values, regions, services, times and
// payloads, with fixed credentials.
// DIFFERENTIAL: the reference below is written from the AWS SigV4 specification (and the
// contract in canonical_request.hpp where the specification leaves a choice: the path is the raw,
// decoded path, encoded once as the AWS test suite does; whitespace runs in header values include
// tabs and folded line breaks), in another way than the library: byte-at-a-time encoding with
// snprintf, RFC 3986 5.2.4's own buffer algorithm for dot segments, a std::map of header lists,
// OpenSSL's one-shot SHA256 and HMAC for the key derivation and signature, and civil-date
// arithmetic for X-Amz-Date. The canonical request, string to sign, signature and Authorization
// header must be identical; and signing never crashes (the signing-key cache persists across
// inputs, so its look-up and eviction are exercised too).
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "auth/canonical_request.hpp"
#include "auth/sigv4.hpp"
#include "fuzz_common.hpp"

namespace {

using sqs::auth::HeaderView;

// ---- reference ---------------------------------------------------------------------------------

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

std::string ref_encode(std::string_view s, bool keep_slash) {
  std::string out;
  for (unsigned char c : s) {
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", static_cast<unsigned>(c));
      out += buf;
    }
  }
  return out;
}

// RFC 3986 5.2.4, step by step on an input and an output buffer.
std::string remove_dot_segments(std::string in) {
  std::string out;
  auto drop_last_segment = [&] {
    const auto slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.erase(0, 3);
    } else if (in.starts_with("./")) {
      in.erase(0, 2);
    } else if (in.starts_with("/./")) {
      in.erase(0, 2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../")) {
      in.erase(0, 3);
      drop_last_segment();
    } else if (in == "/..") {
      in = "/";
      drop_last_segment();
    } else if (in == "." || in == "..") {
      in.clear();
    } else {
      const auto end = in.find('/', in.front() == '/' ? 1 : 0);
      const std::size_t n = end == std::string::npos ? in.size() : end;
      out.append(in, 0, n);
      in.erase(0, n);
    }
  }
  return out;
}

std::string ref_canonical_uri(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  if (!normalize || path == "/") return ref_encode(path, true);
  std::string collapsed;  // empty segments dropped: runs of '/' are one '/'
  for (char c : path) {
    if (!(c == '/' && !collapsed.empty() && collapsed.back() == '/')) collapsed += c;
  }
  std::string p = remove_dot_segments(collapsed);
  if (p.empty() || p.front() != '/') p.insert(0, "/");
  return ref_encode(p, true);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string ref_decode(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '%' && s.size() - i >= 3 && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 3;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::string ref_canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= query.size(); ++i) {
    if (i < query.size() && query[i] != '&') continue;
    const std::string_view piece = query.substr(start, i - start);
    start = i + 1;
    if (piece.empty()) continue;
    const auto eq = piece.find('=');
    const std::string_view name = piece.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : piece.substr(eq + 1);
    params.emplace_back(ref_encode(ref_decode(name), false), ref_encode(ref_decode(value), false));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (std::size_t i = 0; i < params.size(); ++i) {
    out += (i == 0 ? "" : "&") + params[i].first + "=" + params[i].second;
  }
  return out;
}

std::string trimall(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

void ref_canonical_headers(const std::vector<HeaderView>& headers,
                           const std::vector<HeaderView>& extra, std::string& out,
                           std::string& signed_headers) {
  std::map<std::string, std::vector<std::string>> by_name;
  for (const HeaderView& h : headers) {
    std::string name(h.name);
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    }
    bool drop = name == "authorization";
    for (const HeaderView& x : extra) drop = drop || name == x.name;
    if (!drop) by_name[name].push_back(trimall(h.value));
  }
  for (const HeaderView& x : extra) by_name[std::string(x.name)].push_back(trimall(x.value));
  bool first = true;
  for (const auto& [name, values] : by_name) {
    out += name + ":";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
    out += "\n";
    signed_headers += (first ? "" : ";") + name;
    first = false;
  }
}

std::string hex(const unsigned char* p, std::size_t n) {
  std::string out;
  char buf[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    out += buf;
  }
  return out;
}

std::string ref_sha256_hex(std::string_view s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  return hex(md, sizeof md);
}

std::string ref_hmac(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &n);
  return std::string(reinterpret_cast<const char*>(md), n);
}

// Seconds since 1970 as YYYYMMDDTHHMMSSZ (days to civil date: H. Hinnant's algorithm).
std::string ref_amz_date(std::int64_t secs) {
  const std::int64_t days = secs / 86400, rem = secs % 86400;
  const std::int64_t z = days + 719468;
  const std::int64_t era = z / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld%02lld%02lldT%02lld%02lld%02lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

// ---- the target --------------------------------------------------------------------------------

sqs::auth::Signer& signer() {
  static sqs::auth::Signer s;  // its key cache lives across inputs
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  const auto flags = in.ConsumeIntegral<std::uint8_t>();
  sqs::auth::SigningInput input;
  input.normalize_path = (flags & 1) == 0;
  input.add_content_sha256_header = (flags & 2) != 0;
  input.sign_security_token = (flags & 4) == 0;
  sqs::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", {}, {}};
  if ((flags & 8) != 0) credentials.secret_access_key = "another/secret+KEY";
  if ((flags & 16) != 0) credentials.session_token = "IQoJb3JpZ2luX2VjEJr//////////token==";

  const std::string method = in.ConsumeRandomLengthString(16);
  const std::string path = in.ConsumeRandomLengthString(512);
  const std::string query = in.ConsumeRandomLengthString(512);
  const std::string region = (flags & 32) != 0 ? in.ConsumeRandomLengthString(24) : "us-east-1";
  const std::string service = (flags & 64) != 0 ? in.ConsumeRandomLengthString(12) : "sqs";
  std::string payload_hash;
  if ((flags & 128) != 0) payload_hash = in.ConsumeRandomLengthString(80);
  // Any time system_clock holds (nanoseconds in an int64: up to 2262-04-11).
  const auto secs = in.ConsumeIntegralInRange<std::int64_t>(0, 9'223'372'035);
  std::vector<std::string> texts;
  const std::size_t n_headers = in.ConsumeIntegralInRange<std::size_t>(0, 32);
  for (std::size_t i = 0; i < 2 * n_headers; ++i) texts.push_back(in.ConsumeRandomLengthString(96));
  const std::string payload = in.ConsumeRemainingBytesAsString();

  std::vector<HeaderView> headers;
  for (std::size_t i = 0; i < n_headers; ++i) headers.push_back({texts[2 * i], texts[2 * i + 1]});
  input.method = method;
  input.path = path;
  input.query = query;
  input.headers = headers;
  input.payload = payload;
  input.region = region;
  input.service = service;
  input.payload_hash = payload_hash;
  input.time = std::chrono::system_clock::time_point(std::chrono::seconds(secs));

  // The pieces on their own.
  FUZZ_CHECK(sqs::auth::uri_encode(path, true) == ref_encode(path, false));
  FUZZ_CHECK(sqs::auth::uri_encode(path, false) == ref_encode(path, true));
  for (bool normalize : {true, false}) {
    std::string uri = "x";
    sqs::auth::append_canonical_uri(uri, path, normalize);
    FUZZ_CHECK_MSG(
        uri == "x" + ref_canonical_uri(path, normalize),
        "path '" + path + "': " + uri.substr(1) + " vs " + ref_canonical_uri(path, normalize));
  }
  std::string canonical_query = "x";
  sqs::auth::append_canonical_query(canonical_query, query);
  FUZZ_CHECK_MSG(
      canonical_query == "x" + ref_canonical_query(query),
      "query '" + query + "': " + canonical_query.substr(1) + " vs " + ref_canonical_query(query));

  // The whole signature.
  sqs::auth::SignedHeaders out;
  sqs_fuzz::no_exception(__FILE__, [&] { out = signer().sign(input, credentials); });

  const std::string amz_date = ref_amz_date(secs);
  FUZZ_CHECK_MSG(out.amz_date == amz_date, out.amz_date + " vs " + amz_date);
  const std::string hash = payload_hash.empty() ? ref_sha256_hex(payload) : payload_hash;
  FUZZ_CHECK(out.payload_hash == hash);
  std::vector<HeaderView> extra = {{"x-amz-date", amz_date}};
  if (!credentials.session_token.empty() && input.sign_security_token) {
    extra.push_back({"x-amz-security-token", credentials.session_token});
  }
  if (input.add_content_sha256_header) extra.push_back({"x-amz-content-sha256", hash});
  FUZZ_CHECK(out.security_token == credentials.session_token);

  std::string canonical_headers, signed_headers;
  ref_canonical_headers(headers, extra, canonical_headers, signed_headers);
  const std::string canonical_request =
      method + "\n" + ref_canonical_uri(path, input.normalize_path) + "\n" +
      ref_canonical_query(query) + "\n" + canonical_headers + "\n" + signed_headers + "\n" + hash;
  FUZZ_CHECK_MSG(out.canonical_request == canonical_request,
                 out.canonical_request + "\n*** vs\n" + canonical_request);

  const std::string date = amz_date.substr(0, 8);
  const std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + ref_sha256_hex(canonical_request);
  FUZZ_CHECK(out.string_to_sign == string_to_sign);
  std::string key = ref_hmac("AWS4" + credentials.secret_access_key, date);
  key = ref_hmac(key, region);
  key = ref_hmac(key, service);
  key = ref_hmac(key, "aws4_request");
  const std::string mac = ref_hmac(key, string_to_sign);
  const std::string signature = hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  FUZZ_CHECK(out.signature == signature);
  FUZZ_CHECK(out.authorization == "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
                                      scope + ", SignedHeaders=" + signed_headers +
                                      ", Signature=" + signature);
  return 0;
}
