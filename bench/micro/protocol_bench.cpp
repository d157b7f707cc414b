// Protocol layer costs on the hot paths: encoding sends, decoding receives, MD5s.
#include <benchmark/benchmark.h>

#include "../../tests/protocol/canned_answers.hpp"
#include "protocol/checksum.hpp"
#include "protocol/codec.hpp"

namespace {

using namespace sqs;
using namespace sqs::protocol;

constexpr const char* kQueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/bench";

void BM_EncodeSendMessage1KiB(benchmark::State& state) {
  SendMessageRequest r;
  r.queue_url = kQueueUrl;
  r.message_body = std::string(1024, 'a');
  std::string out;
  for (auto _ : state) {
    out.clear();
    encode(r, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}
BENCHMARK(BM_EncodeSendMessage1KiB);

void BM_EncodeSendMessageWithAttributes(benchmark::State& state) {
  SendMessageRequest r;
  r.queue_url = kQueueUrl;
  r.message_body = std::string(1024, 'a');
  r.message_attributes = {{"trace", MessageAttributeValue::string("abc-123")},
                          {"count", MessageAttributeValue::number(42)},
                          {"blob", MessageAttributeValue::binary(std::string(64, '\x01'))}};
  std::string out;
  for (auto _ : state) {
    out.clear();
    encode(r, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EncodeSendMessageWithAttributes);

void BM_EncodeSendMessageBatch10x1KiB(benchmark::State& state) {
  SendMessageBatchRequest r;
  r.queue_url = kQueueUrl;
  for (int i = 0; i < 10; ++i) {
    r.entries.push_back({std::to_string(i), std::string(1024, 'a'), {}, {}, {}, {}, {}});
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    encode(r, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * 10);
}
BENCHMARK(BM_EncodeSendMessageBatch10x1KiB);

void BM_DecodeAndVerifySendMessage(benchmark::State& state) {
  SendMessageRequest request{kQueueUrl, sqs::test::canned::bench_body(), {}, {}, {}, {}, {}};
  for (auto _ : state) {
    auto r = decode_as<SendMessageResult>(sqs::test::canned::kSendMessage);
    auto error = verify(request, *r);
    benchmark::DoNotOptimize(error);
  }
}
BENCHMARK(BM_DecodeAndVerifySendMessage);

void BM_DecodeSendMessageBatch10(benchmark::State& state) {
  for (auto _ : state) {
    auto r = decode_as<SendMessageBatchResult>(sqs::test::canned::kSendMessageBatch);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * 10);
}
BENCHMARK(BM_DecodeSendMessageBatch10);

void BM_DecodeReceiveMessage10x1KiB(benchmark::State& state) {
  const std::string body = sqs::test::canned::expand(sqs::test::canned::kReceiveMessage);
  for (auto _ : state) {
    auto r = decode_as<ReceiveMessageResult>(body);
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
  state.SetItemsProcessed(state.iterations() * 10);
}
BENCHMARK(BM_DecodeReceiveMessage10x1KiB);

void BM_DecodeAndVerifyReceiveMessage10x1KiB(benchmark::State& state) {
  const std::string body = sqs::test::canned::expand(sqs::test::canned::kReceiveMessage);
  for (auto _ : state) {
    auto r = decode_as<ReceiveMessageResult>(body);
    auto error = verify(*r);
    benchmark::DoNotOptimize(error);
  }
  state.SetItemsProcessed(state.iterations() * 10);
}
BENCHMARK(BM_DecodeAndVerifyReceiveMessage10x1KiB);

void BM_Md5Hex1KiB(benchmark::State& state) {
  const std::string data(1024, 'a');
  for (auto _ : state) benchmark::DoNotOptimize(md5_hex(data));
  state.SetBytesProcessed(state.iterations() * 1024);
}
BENCHMARK(BM_Md5Hex1KiB);

void BM_Md5OfMessageAttributes(benchmark::State& state) {
  const MessageAttributes attributes = {
      {"trace", MessageAttributeValue::string("abc-123")},
      {"count", MessageAttributeValue::number(42)},
      {"blob", MessageAttributeValue::binary(std::string(64, '\x01'))}};
  for (auto _ : state) benchmark::DoNotOptimize(md5_of_message_attributes(attributes));
}
BENCHMARK(BM_Md5OfMessageAttributes);

void BM_DecodeError(benchmark::State& state) {
  for (auto _ : state) {
    auto e = decode_error(
        400,
        R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})",
        "AWS.SimpleQueueService.NonExistentQueue;Sender", "b3a1c2d4-5e6f-4a7b");
    benchmark::DoNotOptimize(e);
  }
}
BENCHMARK(BM_DecodeError);

}  // namespace
