// Regressions found by fuzzing (fuzz/urls.cpp, inputs in fuzz/regressions/urls/): a host name is
// percent-decoded by the URL parser, so an encoded one could carry CR LF into the Host header or
// an '@' into the origin; it must be a DNS name, written as it is.
#include <gtest/gtest.h>

#include "http/types.hpp"

namespace sqs::http {
namespace {

TEST(EndpointFuzzRegressions, HostNameIsAPlainDnsName) {
  for (const char* url : {"http://h%0d%0aX-Injected:%201/", "https://sqs%40-east-2u/",
                          "http://a%2fb/", "http://a%00b/", "http://a;b/", "http://h%C3%A9/"}) {
    std::string error;
    EXPECT_FALSE(Endpoint::parse(url, &error)) << url;
    EXPECT_NE(error.find("invalid host name"), std::string::npos) << url << ": " << error;
    EXPECT_EQ(error.find('\r'), std::string::npos) << error;
  }
  // Percent-encoded at all: no DNS name is written so ("2.%362.1.1.1" decodes to a name that is
  // not a URL's host: its origin would not parse).
  EXPECT_FALSE(Endpoint::parse("http://%68ost/"));
  EXPECT_FALSE(Endpoint::parse("hTtp://2.%362.127.0.0.1"));
  auto e = Endpoint::parse("http://host.Example_1~x:8080/");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "host.example_1~x");
  EXPECT_EQ(e->host_header, "host.example_1~x:8080");
  EXPECT_TRUE(Endpoint::parse(e->origin()));
}

TEST(EndpointFuzzRegressions, RedactedUrlHidesWhatCouldBeUserInfo) {
  EXPECT_EQ(redacted_url("http://u/pw12@h/"), "'http://***@h/'");
  EXPECT_EQ(redacted_url("http://h/1/q"), "'http://h/1/q'");
  EXPECT_EQ(redacted_url("http://h/\x01"), "'http://h/\\x01'");
}

}  // namespace
}  // namespace sqs::http
