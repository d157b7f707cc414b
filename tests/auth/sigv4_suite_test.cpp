// The AWS SigV4 test suite (tests/data/sigv4-test-suite/v4), header signing: every case
// directory is one test comparing the canonical request, string to sign, signature and the
// whole signed request byte for byte.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "auth/sigv4.hpp"

namespace {

namespace fs = std::filesystem;
using sqs::auth::HeaderView;

const fs::path kSuiteDir = fs::path(SQS_TEST_DATA_DIR) / "sigv4-test-suite" / "v4";

// Cases that do not apply to header signing, with the reason. Every case applies today; a case
// listed here is reported as skipped, never silently dropped.
const std::map<std::string, std::string> kNotApplicable = {};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kSuiteDir, ec)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct Header {
  std::string name;
  std::string value;  // as written, folded lines joined with '\n'
};

struct HttpRequest {
  std::string request_line;
  std::string method, path, query;
  std::vector<Header> headers;
  std::string body;
};

HttpRequest parse_request(const std::string& text) {
  HttpRequest r;
  std::size_t pos = text.find('\n');
  r.request_line = text.substr(0, pos);
  // "METHOD target HTTP/1.1": the target may hold spaces (get-space-*).
  const std::size_t first = r.request_line.find(' ');
  const std::size_t last = r.request_line.rfind(' ');
  r.method = r.request_line.substr(0, first);
  const std::string target = r.request_line.substr(first + 1, last - first - 1);
  const std::size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) r.query = target.substr(q + 1);

  pos = pos == std::string::npos ? text.size() : pos + 1;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) {  // end of headers
      if (pos < text.size()) r.body = text.substr(pos);
      break;
    }
    if ((line[0] == ' ' || line[0] == '\t') && !r.headers.empty()) {
      r.headers.back().value += "\n" + line;  // obs-fold continuation
      continue;
    }
    const std::size_t colon = line.find(':');
    r.headers.push_back({line.substr(0, colon), line.substr(colon + 1)});
  }
  return r;
}

std::chrono::system_clock::time_point parse_timestamp(const std::string& s) {
  int y, mo, d, h, mi, sec;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &sec) != 6) {
    throw std::runtime_error("bad timestamp " + s);
  }
  using namespace std::chrono;
  const sys_days day = year{y} / month{static_cast<unsigned>(mo)} / static_cast<unsigned>(d);
  return day + hours{h} + minutes{mi} + seconds{sec};
}

class SigV4Suite : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4Suite, HeaderSigning) {
  const std::string name = GetParam();
  if (auto it = kNotApplicable.find(name); it != kNotApplicable.end()) GTEST_SKIP() << it->second;
  const fs::path dir = kSuiteDir / name;

  const auto ctx = boost::json::parse(read_file(dir / "context.json")).as_object();
  const auto& creds = ctx.at("credentials").as_object();
  sqs::Credentials credentials;
  credentials.access_key_id = creds.at("access_key_id").as_string().c_str();
  credentials.secret_access_key = creds.at("secret_access_key").as_string().c_str();
  if (auto* t = creds.if_contains("token")) credentials.session_token = t->as_string().c_str();
  const auto flag = [&](const char* key) {
    auto* v = ctx.if_contains(key);
    return v != nullptr && v->as_bool();
  };
  const std::string region = ctx.at("region").as_string().c_str();
  const std::string service = ctx.at("service").as_string().c_str();

  const HttpRequest req = parse_request(read_file(dir / "request.txt"));
  std::vector<HeaderView> headers;
  for (const auto& h : req.headers) headers.push_back({h.name, h.value});

  sqs::auth::SigningInput in;
  in.method = req.method;
  in.path = req.path;
  in.query = req.query;
  in.headers = headers;
  in.payload = req.body;
  in.region = region;
  in.service = service;
  in.time = parse_timestamp(ctx.at("timestamp").as_string().c_str());
  in.normalize_path = flag("normalize");
  in.add_content_sha256_header = flag("sign_body");
  in.sign_security_token = !flag("omit_session_token");

  sqs::auth::Signer signer;
  const auto signed_headers = signer.sign(in, credentials);

  EXPECT_EQ(signed_headers.canonical_request, read_file(dir / "header-canonical-request.txt"));
  EXPECT_EQ(signed_headers.string_to_sign, read_file(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(signed_headers.signature, read_file(dir / "header-signature.txt"));

  // The request as sent: the original headers, then what the signer adds, in the order the
  // suite writes them.
  std::string sent = req.request_line + "\n";
  for (const auto& h : req.headers) sent += h.name + ":" + h.value + "\n";
  if (!signed_headers.security_token.empty()) {
    sent += "X-Amz-Security-Token:" + signed_headers.security_token + "\n";
  }
  sent += "X-Amz-Date:" + signed_headers.amz_date + "\n";
  if (in.add_content_sha256_header) {
    sent += "x-amz-content-sha256:" + signed_headers.payload_hash + "\n";
  }
  sent += "Authorization:" + signed_headers.authorization + "\n";
  sent += "\n" + req.body;
  EXPECT_EQ(sent, read_file(dir / "header-signed-request.txt"));
}

INSTANTIATE_TEST_SUITE_P(AwsSuite, SigV4Suite, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string n = info.param;
                           for (char& c : n) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return n;
                         });

// Guards against the suite folder moving: zero cases would otherwise pass silently.
TEST(SigV4SuiteData, AllCasesPresent) {
  const auto names = case_names();
  EXPECT_GE(names.size(), 38u) << "suite dir: " << kSuiteDir;
  for (const auto& [name, reason] : kNotApplicable) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

}  // namespace
