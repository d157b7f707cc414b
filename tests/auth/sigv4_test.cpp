// SigV4 pieces and properties the AWS suite does not cover: SQS-shaped requests, the key cache,
// thread safety, options.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "auth/sha256.hpp"
#include "auth/sigv4.hpp"

namespace {

using namespace std::chrono_literals;
using sqs::auth::HeaderView;
using sqs::auth::SigningInput;

std::string canonical_uri(std::string_view path, bool normalize) {
  std::string out;
  sqs::auth::append_canonical_uri(out, path, normalize);
  return out;
}

std::string canonical_query(std::string_view q) {
  std::string out;
  sqs::auth::append_canonical_query(out, q);
  return out;
}

std::string canonical_headers(std::vector<HeaderView> headers, std::vector<HeaderView> extra,
                              std::string* signed_list = nullptr) {
  std::string out, list;
  sqs::auth::append_canonical_headers(out, list, headers, extra);
  if (signed_list) *signed_list = list;
  return out;
}

std::chrono::system_clock::time_point at(int y, unsigned mo, unsigned d, int h, int mi, int s) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

sqs::Credentials example_credentials(std::string token = {}) {
  return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", std::move(token),
          std::nullopt};
}

TEST(Sha256, KnownAnswers) {
  EXPECT_EQ(sqs::auth::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sqs::auth::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(HmacSha256, Rfc4231Vectors) {
  // Test case 2 (short key) and 6 (key longer than a block).
  EXPECT_EQ(sqs::auth::to_hex(
                sqs::auth::hmac_sha256(std::string_view("Jefe"), "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(sqs::auth::to_hex(
                sqs::auth::hmac_sha256(std::string_view(std::string(131, '\xaa')),
                                       "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(UriEncode, KeepsUnreservedAndEncodesTheRestInUpperHex) {
  EXPECT_EQ(sqs::auth::uri_encode("AZaz09-._~", true), "AZaz09-._~");
  EXPECT_EQ(sqs::auth::uri_encode("a b+c%d=e&f*", true), "a%20b%2Bc%25d%3De%26f%2A");
  EXPECT_EQ(sqs::auth::uri_encode("\xe1\x88\xb4", true), "%E1%88%B4");
  EXPECT_EQ(sqs::auth::uri_encode("/a/b", true), "%2Fa%2Fb");
  EXPECT_EQ(sqs::auth::uri_encode("/a/b", false), "/a/b");
}

TEST(CanonicalUri, NormalizesDotSegmentsAndSlashes) {
  EXPECT_EQ(canonical_uri("", true), "/");
  EXPECT_EQ(canonical_uri("/", true), "/");
  EXPECT_EQ(canonical_uri("/a/./b/../c", true), "/a/c");
  EXPECT_EQ(canonical_uri("/a/b/.", true), "/a/b/");
  EXPECT_EQ(canonical_uri("/a/b/..", true), "/a/");
  EXPECT_EQ(canonical_uri("/../../a", true), "/a");
  EXPECT_EQ(canonical_uri("//a///b//", true), "/a/b/");
  EXPECT_EQ(canonical_uri("/123456789012/my queue", true), "/123456789012/my%20queue");
}

TEST(CanonicalUri, LeavesPathAloneWithoutNormalization) {
  EXPECT_EQ(canonical_uri("//a/./b/..", false), "//a/./b/..");
  EXPECT_EQ(canonical_uri("/a b", false), "/a%20b");
}

TEST(CanonicalQuery, SortsByEncodedNameThenValue) {
  EXPECT_EQ(canonical_query(""), "");
  EXPECT_EQ(canonical_query("b=2&a=1"), "a=1&b=2");
  EXPECT_EQ(canonical_query("a=2&a=1&A=3"), "A=3&a=1&a=2");
  EXPECT_EQ(canonical_query("Param-3=x&Param=y"), "Param=y&Param-3=x");
}

TEST(CanonicalQuery, EncodesNamesAndValues) {
  EXPECT_EQ(canonical_query("a"), "a=");
  EXPECT_EQ(canonical_query("a="), "a=");
  EXPECT_EQ(canonical_query("a=b=c"), "a=b%3Dc");
  EXPECT_EQ(canonical_query("k=a b+c/d"), "k=a%20b%2Bc%2Fd");
  EXPECT_EQ(canonical_query("&&a=1&"), "a=1");
  // Already-encoded and raw input canonicalise identically; a stray '%' is data.
  EXPECT_EQ(canonical_query("k=%e1%88%b4"), canonical_query("k=\xe1\x88\xb4"));
  EXPECT_EQ(canonical_query("k=100%&j=%zz"), "j=%25zz&k=100%25");
}

TEST(CanonicalHeaders, LowerCasesSortsJoinsAndTrims) {
  std::string list;
  const std::string out = canonical_headers({{"X-B", " two  words\there "},
                                             {"host", "h"},
                                             {"x-b", "second"},
                                             {"Empty", ""},
                                             {"X-A", "folded\r\n  line"}},
                                            {}, &list);
  EXPECT_EQ(out, "empty:\nhost:h\nx-a:folded line\nx-b:two words here,second\n");
  EXPECT_EQ(list, "empty;host;x-a;x-b");
}

TEST(CanonicalHeaders, SignerHeadersReplaceCallerCopies) {
  std::string list;
  const std::string out =
      canonical_headers({{"Host", "h"}, {"Authorization", "old"}, {"X-Amz-Date", "old"}},
                        {{"x-amz-date", "20240101T000000Z"}}, &list);
  EXPECT_EQ(out, "host:h\nx-amz-date:20240101T000000Z\n");
  EXPECT_EQ(list, "host;x-amz-date");
}

TEST(CanonicalHeaders, ManyHeadersSpillToTheHeap) {
  std::vector<HeaderView> headers;
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("h" + std::to_string(100 - i));
  for (const auto& n : names) headers.push_back({n, "v"});
  std::string list;
  canonical_headers(headers, {{"x-amz-date", "d"}}, &list);
  std::sort(names.begin(), names.end());  // byte order: "h100" < "h61"
  std::string expected;
  for (const auto& n : names) expected += n + ";";
  EXPECT_EQ(list, expected + "x-amz-date");
}

// An SQS JSON call, checked against an independent implementation (Python hashlib/hmac).
struct SqsRequest {
  std::string body =
      R"({"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/123456789012/orders","MessageBody":"hello"})";
  std::vector<HeaderView> headers = {{"X-Amz-Target", "AmazonSQS.SendMessage"},
                                     {"Host", "sqs.eu-west-1.amazonaws.com"},
                                     {"Content-Type", "application/x-amz-json-1.0"}};
  SigningInput input() const {
    SigningInput in;
    in.method = "POST";
    in.path = "/";
    in.headers = headers;
    in.payload = body;
    in.region = "eu-west-1";
    in.service = "sqs";
    in.time = at(2024, 2, 29, 23, 59, 59) + 999ms;
    return in;
  }
};

constexpr const char* kSqsSignature =
    "1a1af3cda4b77f2f49834a44a0432500f4b6b7cc804fe665c1c44d8d5b7311b2";

TEST(Signer, SignsAnSqsJsonRequestWithSessionToken) {
  SqsRequest req;
  sqs::auth::Signer signer;
  const auto s = signer.sign(req.input(), example_credentials("FQoGZXIvYXdzEXAMPLETOKEN+/=="));
  EXPECT_EQ(s.amz_date, "20240229T235959Z");
  EXPECT_EQ(s.security_token, "FQoGZXIvYXdzEXAMPLETOKEN+/==");
  EXPECT_EQ(s.payload_hash, "56b6a64010eac9cf07cbc79a5956da1db3b81b91c70f962f2d0e752ae7e0efc5");
  EXPECT_EQ(s.signature, kSqsSignature);
  EXPECT_EQ(s.authorization,
            std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240229/eu-west-1/sqs/"
                        "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                        "x-amz-security-token;x-amz-target, Signature=") +
                kSqsSignature);
  // The secret shows up nowhere.
  for (const std::string* text : {&s.authorization, &s.canonical_request, &s.string_to_sign}) {
    EXPECT_EQ(text->find("wJalrXUtnFEMI"), std::string::npos);
  }
}

TEST(Signer, UsesAGivenPayloadHash) {
  SqsRequest req;
  auto in = req.input();
  in.payload_hash = "56b6a64010eac9cf07cbc79a5956da1db3b81b91c70f962f2d0e752ae7e0efc5";
  in.payload = "ignored when the hash is given";
  sqs::auth::Signer signer;
  EXPECT_EQ(signer.sign(in, example_credentials("FQoGZXIvYXdzEXAMPLETOKEN+/==")).signature,
            kSqsSignature);

  in.payload_hash = "UNSIGNED-PAYLOAD";
  const auto s = signer.sign(in, example_credentials());
  EXPECT_TRUE(s.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
}

TEST(Signer, UnsignedSessionTokenIsStillReturned) {
  SqsRequest req;
  auto in = req.input();
  in.sign_security_token = false;
  sqs::auth::Signer signer;
  const auto s = signer.sign(in, example_credentials("TOKEN"));
  EXPECT_EQ(s.security_token, "TOKEN");
  EXPECT_EQ(s.canonical_request.find("x-amz-security-token"), std::string::npos);
}

TEST(Signer, CachedKeysAreKeptApartBySecretDateRegionAndService) {
  SqsRequest req;
  sqs::auth::Signer cached;
  auto sign_fresh = [&](const SigningInput& in, const sqs::Credentials& c) {
    sqs::auth::Signer fresh;  // empty cache: derives the key from scratch
    return fresh.sign(in, c).signature;
  };
  const sqs::Credentials a = example_credentials();
  const sqs::Credentials b{"AKIDEXAMPLE", "another-secret", "", std::nullopt};
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20; ++i) {  // more combinations than the cache holds
      auto in = req.input();
      in.time = at(2024, 1, 1 + static_cast<unsigned>(i % 5), 12, 0, 0);
      const std::string region = i % 2 ? "us-east-1" : "eu-west-1";
      const std::string service = i % 3 ? "sqs" : "sns";
      in.region = region;
      in.service = service;
      const auto& creds = i % 4 < 2 ? a : b;
      ASSERT_EQ(cached.sign(in, creds).signature, sign_fresh(in, creds)) << round << " " << i;
    }
  }
}

TEST(Signer, IsThreadSafe) {
  SqsRequest req;
  const sqs::Credentials creds[2] = {example_credentials(),
                                     {"AKID2", "second-secret", "tok", std::nullopt}};
  std::string expected[2];
  {
    sqs::auth::Signer reference;
    for (int i = 0; i < 2; ++i) expected[i] = reference.sign(req.input(), creds[i]).authorization;
  }
  sqs::auth::Signer shared;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const int which = (t + i) % 2;
        if (shared.sign(req.input(), creds[which]).authorization != expected[which]) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(Signer, FormatsTheDateInUtcAndTruncatesSubSeconds) {
  SqsRequest req;
  sqs::auth::Signer signer;
  auto in = req.input();
  in.time = at(1999, 12, 31, 23, 59, 59) + 999999us;
  EXPECT_EQ(signer.sign(in, example_credentials()).amz_date, "19991231T235959Z");
  in.time = at(2038, 1, 19, 3, 14, 8);
  const auto s = signer.sign(in, example_credentials());
  EXPECT_EQ(s.amz_date, "20380119T031408Z");
  EXPECT_NE(s.authorization.find("/20380119/eu-west-1/sqs/aws4_request"), std::string::npos);
}

}  // namespace
