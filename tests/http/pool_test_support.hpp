// Shared helpers of the http::Pool tests: an io_context driven by the test thread, and ways to
// send a request and await its completion (never a sleep).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "http/pool.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::http::testing {

using namespace std::chrono_literals;
using boost::system::error_code;
using sqs::test::ReceivedRequest;
using sqs::test::Reply;
using sqs::test::ScriptedHttpServer;

// What a handler received, and how many times it was called.
struct Outcome {
  int calls = 0;
  error_code ec;
  Response response;
};

inline ResponseHandler record_into(std::shared_ptr<Outcome> outcome) {
  return [outcome](error_code ec, Response response) {
    ++outcome->calls;
    outcome->ec = ec;
    outcome->response = std::move(response);
  };
}

inline Endpoint endpoint_of(const std::string& url) {
  std::string error;
  auto endpoint = Endpoint::parse(url, &error);
  EXPECT_TRUE(endpoint.has_value()) << error;
  return endpoint.value_or(Endpoint{});
}

inline Request post(std::string body, std::string target = "/") {
  Request request;
  request.method = "POST";
  request.target = std::move(target);
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"}};
  request.body = std::move(body);
  return request;
}

class PoolTest : public ::testing::Test {
 protected:
  // Runs the io_context until `done()` holds or `timeout` passes; returns done().
  template <class Predicate>
  bool run_until(Predicate done, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    io.restart();
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      io.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now, 50ms));
      if (io.stopped()) io.restart();
    }
    return true;
  }

  // Sends and waits for the completion.
  Outcome send(Pool& pool, const Endpoint& endpoint, Request request,
               std::chrono::milliseconds timeout = 5s) {
    auto outcome = std::make_shared<Outcome>();
    pool.async_send(endpoint, std::move(request), timeout, record_into(outcome));
    EXPECT_TRUE(run_until([&] { return outcome->calls > 0; }, timeout + 5s));
    return *outcome;
  }

  boost::asio::io_context io;
};

}  // namespace sqs::http::testing
