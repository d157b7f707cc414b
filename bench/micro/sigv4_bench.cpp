// SigV4 signing cost for an SQS JSON call: POST / with the five headers the client sends and a
// SendMessage-sized body. The hot path signs with a cached signing key.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "auth/sha256.hpp"
#include "auth/sigv4.hpp"

namespace {

struct SqsCall {
  explicit SqsCall(std::size_t body_size) {
    body =
        R"({"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/orders","MessageBody":")";
    body.append(body_size > body.size() + 2 ? body_size - body.size() - 2 : 0, 'x');
    body += "\"}";
    content_length = std::to_string(body.size());
    headers = {{"Host", "sqs.us-east-1.amazonaws.com"},
               {"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "AmazonSQS.SendMessage"},
               {"Content-Length", content_length},
               {"User-Agent", "aws-cpp-sqs/0.1.0"}};
    input.method = "POST";
    input.path = "/";
    input.headers = headers;
    input.payload = body;
    input.region = "us-east-1";
    input.service = "sqs";
    input.time = std::chrono::system_clock::now();
  }
  std::string body, content_length;
  std::vector<sqs::auth::HeaderView> headers;
  sqs::auth::SigningInput input;
  sqs::Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "",
                               std::nullopt};
};

void BM_SigV4_Sign_CachedKey(benchmark::State& state) {
  SqsCall call(static_cast<std::size_t>(state.range(0)));
  sqs::auth::Signer signer;
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign(call.input, call.credentials));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(call.body.size()));
}
BENCHMARK(BM_SigV4_Sign_CachedKey)->Arg(256)->Arg(64 * 1024)->Arg(1024 * 1024);

void BM_SigV4_Sign_SessionToken(benchmark::State& state) {
  SqsCall call(256);
  call.credentials.session_token = std::string(700, 'T');  // STS tokens are ~700-1000 bytes
  sqs::auth::Signer signer;
  for (auto _ : state) benchmark::DoNotOptimize(signer.sign(call.input, call.credentials));
}
BENCHMARK(BM_SigV4_Sign_SessionToken);

void BM_SigV4_Sign_ColdKey(benchmark::State& state) {
  SqsCall call(256);
  for (auto _ : state) {
    sqs::auth::Signer signer;  // derives the signing key every time
    benchmark::DoNotOptimize(signer.sign(call.input, call.credentials));
  }
}
BENCHMARK(BM_SigV4_Sign_ColdKey);

void BM_SigV4_Sha256_256B(benchmark::State& state) {
  const std::string data(256, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(sqs::auth::sha256(data));
}
BENCHMARK(BM_SigV4_Sha256_256B);

void BM_SigV4_HmacSha256_150B(benchmark::State& state) {
  const sqs::auth::HmacSha256Key key(sqs::auth::Sha256Digest{});  // prepared once, as cached
  const std::string data(150, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(key.mac(data));
}
BENCHMARK(BM_SigV4_HmacSha256_150B);

}  // namespace
