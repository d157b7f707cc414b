#include "protocol/base64.hpp"

#include <gtest/gtest.h>

#include <random>

namespace sqs::protocol {
namespace {

std::string decoded(std::string_view text) {
  std::string out = "garbage";
  EXPECT_TRUE(base64_decode(text, out)) << text;
  return out;
}

bool rejects(std::string_view text) {
  std::string out;
  return !base64_decode(text, out);
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(decoded(encoded), plain);
  }
}

TEST(Base64, AppendKeepsPrefix) {
  std::string out = "x";
  base64_append(out, "hi");
  EXPECT_EQ(out, "xaGk=");
}

TEST(Base64, AcceptsMissingPadding) {
  EXPECT_EQ(decoded("Zg"), "f");
  EXPECT_EQ(decoded("Zm8"), "fo");
}

TEST(Base64, RejectsInvalidInput) {
  EXPECT_TRUE(rejects("Z"));       // 6 bits cannot end a byte
  EXPECT_TRUE(rejects("Zm9v\n"));  // whitespace
  EXPECT_TRUE(rejects("Zm 9v"));
  EXPECT_TRUE(rejects("Zm9v!A=="));  // outside the alphabet
  EXPECT_TRUE(rejects("Zg=a"));      // '=' inside
  EXPECT_TRUE(rejects("Z==="));
  EXPECT_TRUE(rejects("Zg==Zg=="));
  EXPECT_TRUE(rejects("Zm9v="));  // padding where none belongs
  EXPECT_TRUE(rejects("Zm9vYg="));
  EXPECT_TRUE(rejects("Zm9v-_"));  // URL-safe alphabet is not SQS's
}

TEST(Base64, RandomBytesRoundTrip) {
  std::mt19937 rng(42);
  for (int len = 0; len < 300; ++len) {
    std::string bytes(static_cast<std::size_t>(len), '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    const std::string text = base64_encode(bytes);
    EXPECT_EQ(text.size(), (bytes.size() + 2) / 3 * 4);
    EXPECT_EQ(decoded(text), bytes) << "length " << len;
  }
}

}  // namespace
}  // namespace sqs::protocol
