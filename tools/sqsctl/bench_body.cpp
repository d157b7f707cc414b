#include "bench_body.hpp"

#include <charconv>
#include <cstdio>
#include <random>

namespace sqsctl::bench {

namespace {
constexpr std::size_t kSequenceDigits = 10;
}  // namespace

BodyCodec::BodyCodec(std::string run_id) : run_id_(std::move(run_id)), prefix_("bench:") {
  prefix_ += run_id_;
  prefix_ += ':';
}

std::string BodyCodec::new_run_id() {
  std::random_device device;
  std::uint64_t bits = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char text[17];
  std::snprintf(text, sizeof text, "%012llx",
                static_cast<unsigned long long>(bits & 0xFFFFFFFFFFFFull));
  return text;
}

std::string BodyCodec::encode(std::size_t sequence, std::size_t bytes) const {
  std::string body;
  body.reserve(bytes);
  body += prefix_;
  char digits[kSequenceDigits + 1];
  std::snprintf(digits, sizeof digits, "%010zu", sequence);
  body += digits;
  body += ':';
  // A pattern rather than one repeated letter, so that nothing along the way can shrink it.
  static constexpr std::string_view kPad = "abcdefghijklmnopqrstuvwxyz0123456789";
  while (body.size() < bytes) {
    body.append(kPad.substr(0, std::min(kPad.size(), bytes - body.size())));
  }
  return body;
}

std::optional<std::size_t> BodyCodec::decode(std::string_view body) const {
  if (body.size() < kBodyHeaderBytes || body.substr(0, prefix_.size()) != prefix_) {
    return std::nullopt;
  }
  std::string_view digits = body.substr(prefix_.size(), kSequenceDigits);
  if (body[prefix_.size() + kSequenceDigits] != ':') return std::nullopt;
  std::size_t sequence = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), sequence);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return sequence;
}

}  // namespace sqsctl::bench
