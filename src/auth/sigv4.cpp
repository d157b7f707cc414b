#include "auth/sigv4.hpp"

#include "auth/sha256.hpp"

namespace sqs::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";

void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// ISO 8601 basic format, UTC: 20150830T123600Z. Computed with <chrono> calendar arithmetic:
// no gmtime_r, no locale.
std::string format_amz_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  std::string out(16, '\0');
  put_digits(out.data(), static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  put_digits(out.data() + 4, static_cast<unsigned>(ymd.month()), 2);
  put_digits(out.data() + 6, static_cast<unsigned>(ymd.day()), 2);
  out[8] = 'T';
  put_digits(out.data() + 9, static_cast<unsigned>(hms.hours().count()), 2);
  put_digits(out.data() + 11, static_cast<unsigned>(hms.minutes().count()), 2);
  put_digits(out.data() + 13, static_cast<unsigned>(hms.seconds().count()), 2);
  out[15] = 'Z';
  return out;
}

void append_scope(std::string& out, std::string_view date, std::string_view region,
                  std::string_view service) {
  out += date;
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += '/';
  out += kTerminator;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  return to_hex(sha256(data));
}

std::shared_ptr<const HmacSha256Key> Signer::signing_key(const Credentials& credentials,
                                                         std::string_view date,
                                                         std::string_view region,
                                                         std::string_view service) {
  const Sha256Digest secret_hash = sha256(credentials.secret_access_key);
  {
    std::lock_guard lock(mutex_);
    for (const CachedKey& k : cache_) {
      if (k.secret_hash == secret_hash && k.date == date && k.region == region &&
          k.service == service) {
        return k.key;
      }
    }
  }

  std::string seed;
  seed.reserve(4 + credentials.secret_access_key.size());
  seed += "AWS4";
  seed += credentials.secret_access_key;
  Sha256Digest k = hmac_sha256(seed, date);
  secure_wipe(seed.data(), seed.size());
  k = hmac_sha256(k, region);
  k = hmac_sha256(k, service);
  k = hmac_sha256(k, kTerminator);
  auto key = std::make_shared<const HmacSha256Key>(k);
  secure_wipe(k.data(), k.size());

  std::lock_guard lock(mutex_);
  // Keys change once a day per (secret, region, service): a small FIFO is plenty.
  if (cache_.size() >= kMaxCachedKeys) cache_.erase(cache_.begin());
  cache_.push_back(
      CachedKey{secret_hash, std::string(date), std::string(region), std::string(service), key});
  return key;
}

SignedHeaders Signer::sign(const SigningInput& in, const Credentials& credentials) {
  SignedHeaders out;
  out.amz_date = format_amz_date(in.time);
  const std::string_view date = std::string_view(out.amz_date).substr(0, 8);

  if (!in.payload_hash.empty()) {
    out.payload_hash = in.payload_hash;
  } else {
    out.payload_hash.reserve(64);
    append_hex(out.payload_hash, sha256(in.payload));
  }
  out.security_token = credentials.session_token;

  std::array<HeaderView, 3> extra;
  std::size_t n_extra = 0;
  extra[n_extra++] = {"x-amz-date", out.amz_date};
  if (!out.security_token.empty() && in.sign_security_token) {
    extra[n_extra++] = {"x-amz-security-token", out.security_token};
  }
  if (in.add_content_sha256_header) extra[n_extra++] = {"x-amz-content-sha256", out.payload_hash};

  // Authorization is started first so the signed-header list is written once, straight into
  // it, and copied from there into the canonical request.
  std::string& auth = out.authorization;
  auth.reserve(kAlgorithm.size() + credentials.access_key_id.size() + in.region.size() +
               in.service.size() + 256);
  auth += kAlgorithm;
  auth += " Credential=";
  auth += credentials.access_key_id;
  auth += '/';
  append_scope(auth, date, in.region, in.service);
  auth += ", SignedHeaders=";
  const std::size_t signed_begin = auth.size();

  std::string& cr = out.canonical_request;
  cr.reserve(in.method.size() + in.path.size() + in.query.size() + 256 + 64 * in.headers.size());
  cr += in.method;
  cr += '\n';
  append_canonical_uri(cr, in.path, in.normalize_path);
  cr += '\n';
  append_canonical_query(cr, in.query);
  cr += '\n';
  append_canonical_headers(cr, auth, in.headers, std::span(extra.data(), n_extra));
  cr += '\n';
  cr.append(auth, signed_begin);
  cr += '\n';
  cr += out.payload_hash;

  std::string& sts = out.string_to_sign;
  sts.reserve(kAlgorithm.size() + out.amz_date.size() + in.region.size() + in.service.size() + 96);
  sts += kAlgorithm;
  sts += '\n';
  sts += out.amz_date;
  sts += '\n';
  append_scope(sts, date, in.region, in.service);
  sts += '\n';
  append_hex(sts, sha256(cr));

  const auto key = signing_key(credentials, date, in.region, in.service);
  out.signature = to_hex(key->mac(sts));
  auth += ", Signature=";
  auth += out.signature;
  return out;
}

}  // namespace sqs::auth
