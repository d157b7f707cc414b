// Endpoint::parse, Endpoint::origin, Response::header and the request head writer.
#include <gtest/gtest.h>

#include "http/request_head.hpp"
#include "http/types.hpp"

namespace sqs::http {
namespace {

Endpoint parse_ok(std::string_view url) {
  std::string error;
  auto endpoint = Endpoint::parse(url, &error);
  EXPECT_TRUE(endpoint.has_value()) << url << ": " << error;
  return endpoint.value_or(Endpoint{});
}

std::string parse_error(std::string_view url) {
  std::string error;
  auto endpoint = Endpoint::parse(url, &error);
  EXPECT_FALSE(endpoint.has_value()) << url;
  EXPECT_FALSE(error.empty()) << url;
  return error;
}

TEST(EndpointParse, HttpsWithDefaultPort) {
  const Endpoint e = parse_ok("https://sqs.us-east-1.amazonaws.com");
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.host, "sqs.us-east-1.amazonaws.com");
  EXPECT_EQ(e.port, 443);
  EXPECT_EQ(e.host_header, "sqs.us-east-1.amazonaws.com");
  EXPECT_EQ(e.path, "/");
  EXPECT_EQ(e.origin(), "https://sqs.us-east-1.amazonaws.com:443");
}

TEST(EndpointParse, HttpWithDefaultPortAndPath) {
  const Endpoint e = parse_ok("http://example.com/000000000000/my-queue");
  EXPECT_FALSE(e.tls);
  EXPECT_EQ(e.port, 80);
  EXPECT_EQ(e.host_header, "example.com");
  EXPECT_EQ(e.path, "/000000000000/my-queue");
}

TEST(EndpointParse, ExplicitPortAppearsInHostHeader) {
  const Endpoint e = parse_ok("http://127.0.0.1:4566/");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 4566);
  EXPECT_EQ(e.host_header, "127.0.0.1:4566");
  EXPECT_EQ(e.origin(), "http://127.0.0.1:4566");
}

TEST(EndpointParse, ExplicitDefaultPortIsLeftOutOfHostHeader) {
  EXPECT_EQ(parse_ok("https://example.com:443").host_header, "example.com");
  EXPECT_EQ(parse_ok("http://example.com:80").host_header, "example.com");
  EXPECT_EQ(parse_ok("http://example.com:443").host_header, "example.com:443");
}

TEST(EndpointParse, Ipv6Literal) {
  const Endpoint e = parse_ok("http://[::1]:8080/x");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, 8080);
  EXPECT_EQ(e.host_header, "[::1]:8080");
  EXPECT_EQ(e.origin(), "http://[::1]:8080");
  const Endpoint d = parse_ok("https://[2001:db8::1]");
  EXPECT_EQ(d.host, "2001:db8::1");
  EXPECT_EQ(d.host_header, "[2001:db8::1]");
}

TEST(EndpointParse, HostIsLowerCased) {
  EXPECT_EQ(parse_ok("HTTPS://SQS.EU-West-1.AmazonAWS.com").host, "sqs.eu-west-1.amazonaws.com");
}

TEST(EndpointParse, EmptyPortMeansDefault) {
  EXPECT_EQ(parse_ok("http://h:/").port, 80);
}

TEST(EndpointParse, RejectsOtherSchemes) {
  EXPECT_NE(parse_error("ftp://example.com").find("scheme"), std::string::npos);
  parse_error("ws://example.com");
  parse_error("file:///etc/passwd");
}

TEST(EndpointParse, RejectsUserinfo) {
  EXPECT_NE(parse_error("https://user:secret@example.com").find("credentials"), std::string::npos);
}

TEST(EndpointParse, ErrorsNeverShowAPassword) {
  for (const char* url : {"https://user:hunter2@example.com", "ftp://user:hunter2@example.com/x",
                          "https://user:hunter2@example.com/?q=1", "http://user:hunter2@:80/",
                          "https://user:hun ter2@exa mple.com", "https://u:hunter2@h@x.com/",
                          // Unencoded '/', '?', '#' in the password (issue #8, hole 1).
                          "http://u:hunter2/pw@127.0.0.1:1", "http://u:hunter2?x@127.0.0.1:1",
                          "http://u:hunter2#x@127.0.0.1:1/q", "u:hunter2/x@127.0.0.1",
                          "http://u:hunter2/a/b@c@127.0.0.1:1/path"}) {
    std::string error = parse_error(url);
    EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
    EXPECT_NE(error.find("***"), std::string::npos) << error;
  }
}

// Not one character of the user info, even the one that makes the URL malformed.
TEST(EndpointParse, ErrorsNeverShowACharacterOfAPassword) {
  const std::string error = parse_error("http://u:Zq{hunter2@127.0.0.1:1/q");
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  EXPECT_EQ(error.find('{'), std::string::npos) << error;
  EXPECT_EQ(error.find('Z'), std::string::npos) << error;
}

// A malformed URL says which character is wrong, and where; control characters and other
// non-printable bytes are shown escaped, never written to a terminal raw.
TEST(EndpointParse, ErrorsNameTheBadCharacterAndEscapeControls) {
  std::string error = parse_error("http://exa mple.com/q");
  EXPECT_NE(error.find("a space at offset 10"), std::string::npos) << error;
  error = parse_error("http://x/q\x1b[31m");
  EXPECT_EQ(error.find('\x1b'), std::string::npos) << error;
  EXPECT_NE(error.find("\\x1b[31m"), std::string::npos) << error;
  EXPECT_NE(error.find("byte 27 at offset 10"), std::string::npos) << error;
  error = parse_error(std::string("http://x/\0q", 11));
  EXPECT_EQ(error.find('\0'), std::string::npos) << error;
  EXPECT_NE(error.find("\\x00"), std::string::npos) << error;
  error = parse_error("http://x/\xc3\xa9");
  EXPECT_NE(error.find("\\xc3\\xa9"), std::string::npos) << error;
}

TEST(EndpointParse, RejectsMissingHost) {
  EXPECT_NE(parse_error("http://:80/").find("host"), std::string::npos);
  parse_error("http:///path");
}

TEST(EndpointParse, RejectsMalformedAndRelative) {
  parse_error("");
  parse_error("example.com");
  parse_error("/relative/path");
  parse_error("http://exa mple.com");
}

TEST(EndpointParse, RejectsBadPort) {
  parse_error("http://example.com:99999");
  parse_error("http://example.com:0");
  parse_error("http://example.com:port");
}

TEST(EndpointParse, RejectsQueryAndFragment) {
  parse_error("http://example.com/?a=b");
  parse_error("http://example.com/#frag");
}

TEST(EndpointParse, ErrorPointerIsOptional) {
  EXPECT_FALSE(Endpoint::parse("gopher://x").has_value());
}

TEST(ResponseHeader, LookupIsCaseInsensitive) {
  Response r;
  r.headers = {{"Content-Type", "application/json"}, {"x-amzn-RequestId", "abc"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("X-AMZN-REQUESTID"), "abc");
  EXPECT_EQ(r.header("missing"), "");
  EXPECT_EQ(r.header("Content-Typ"), "");
}

TEST(RequestHead, WritesRequestLineHostHeadersAndLength) {
  const Endpoint e = parse_ok("http://127.0.0.1:9324");
  Request r;
  r.method = "POST";
  r.target = "/";
  r.headers = {
      {"X-Amz-Target", "AmazonSQS.SendMessage"}, {"host", "ignored"}, {"Content-Length", "999"}};
  r.body = "{}";
  std::string out;
  ASSERT_TRUE(write_request_head(e, r, out));
  EXPECT_EQ(out,
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:9324\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n"
            "Content-Length: 2\r\n\r\n");
}

TEST(RequestHead, GetWithoutBodyHasNoContentLength) {
  Request r;
  r.method = "GET";
  r.target = "/ping";
  std::string out;
  ASSERT_TRUE(write_request_head(parse_ok("http://h"), r, out));
  EXPECT_EQ(out, "GET /ping HTTP/1.1\r\nHost: h\r\n\r\n");
}

TEST(RequestHead, RejectsHeaderInjection) {
  const Endpoint e = parse_ok("http://h");
  std::string out;
  Request r;
  r.headers = {{"X-A", "v\r\nEvil: 1"}};
  EXPECT_FALSE(write_request_head(e, r, out));
  r.headers = {{"Bad Name", "v"}};
  EXPECT_FALSE(write_request_head(e, r, out));
  r.headers = {{"", "v"}};
  EXPECT_FALSE(write_request_head(e, r, out));
  r.headers = {};
  r.target = "/a b";
  EXPECT_FALSE(write_request_head(e, r, out));
  r.target = "/";
  r.method = "PO ST";
  EXPECT_FALSE(write_request_head(e, r, out));
}

}  // namespace
}  // namespace sqs::http
