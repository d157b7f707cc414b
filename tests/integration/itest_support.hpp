// Shared by the end-to-end test binaries test_client, test_queue and test_integration: one
// fauxqs server per binary (a gtest Environment, started before the first test), client
// configurations that point at it, unique queue names, environment variables restored after a
// test, canned SQS answers for the scripted server, and small waiting helpers.
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sqs/client.hpp"
#include "sqs/queue.hpp"
#include "support/fauxqs_server.hpp"
#include "support/scoped_env.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::itest {

using namespace std::chrono_literals;

// ---- the fauxqs server of this binary --------------------------------------------------------

class FauxqsEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { server_ = std::make_unique<test::FauxqsServer>(); }
  void TearDown() override { server_.reset(); }
  static test::FauxqsServer& server() {
    if (!server_) server_ = std::make_unique<test::FauxqsServer>();  // used before SetUp
    return *server_;
  }

 private:
  static inline std::unique_ptr<test::FauxqsServer> server_;
};

// Registered once per binary (an inline variable is initialised once per program).
inline ::testing::Environment* const fauxqs_environment =
    ::testing::AddGlobalTestEnvironment(new FauxqsEnvironment);

inline test::FauxqsServer& fauxqs() {
  return FauxqsEnvironment::server();
}

// fauxqs does not check signatures: any key pair will do.
inline ClientConfig config_for(const std::string& endpoint) {
  ClientConfig c;
  c.region = "us-east-1";
  c.endpoint = endpoint;
  c.credentials = Credentials{"AKIDTEST", "secret", {}, std::nullopt};
  return c;
}
inline ClientConfig fauxqs_config() {
  return config_for(fauxqs().endpoint());
}

// A queue name no other test uses: the test's name plus a counter (fauxqs keeps every queue
// of the binary in one server).
inline std::string unique_name(const std::string& hint = "q", bool fifo = false) {
  static std::atomic<int> counter{0};
  std::string name = hint;
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name = std::string(info->name()) + "-" + hint;
  }
  std::string out;
  for (char c : name) {
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  }
  out = out.substr(0, 60) + "-" + std::to_string(::getpid() % 100000) + "-" +
        std::to_string(counter++);
  if (fifo) out += ".fifo";
  return out;
}

// Creates a queue and returns its URL (fails the test on error).
inline std::string create_queue(const Client& client, const std::string& name,
                                StringMap attributes = {}) {
  auto r = client.create_queue(CreateQueueRequest{name, std::move(attributes), {}});
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().to_string());
  return r ? r->queue_url : std::string();
}

inline Queue create_queue_object(const Client& client, const std::string& name,
                                 StringMap attributes = {}) {
  return Queue(client, create_queue(client, name, std::move(attributes)));
}

// Environment variables and temporary directories of one test (tests/support/scoped_env.hpp).
using test::ScopedEnv;
using test::TempDir;

// ---- waiting without sleeping ----------------------------------------------------------------

// Counts completions; wait() returns true once `n` arrived, false after the timeout.
class Latch {
 public:
  void count_down() {
    std::lock_guard<std::mutex> lock(m_);
    ++count_;
    cv_.notify_all();
  }
  bool wait(std::size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(m_);
    return cv_.wait_for(lock, timeout, [&] { return count_ >= n; });
  }
  std::size_t count() {
    std::lock_guard<std::mutex> lock(m_);
    return count_;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  std::size_t count_ = 0;
};

// Threads of this process now.
inline std::size_t thread_count() {
  std::size_t n = 0;
  if (DIR* d = ::opendir("/proc/self/task")) {
    while (auto* e = ::readdir(d)) {
      if (e->d_name[0] != '.') ++n;
    }
    ::closedir(d);
  }
  return n;
}

// ---- canned SQS answers for the scripted server --------------------------------------------

inline test::Reply sqs_json(std::string body) {
  return test::Reply::json(200, std::move(body)).header("x-amzn-RequestId", "req-canned");
}
inline test::Reply sqs_error(int status, const std::string& type, const std::string& query_code,
                             const std::string& message = "canned error") {
  auto r = test::Reply::json(
      status, R"({"__type":"com.amazonaws.sqs#)" + type + R"(","message":")" + message + R"("})");
  r.header("x-amzn-RequestId", "req-error");
  if (!query_code.empty()) r.header("x-amzn-query-error", query_code);
  return r;
}
inline std::string target_of(const test::ReceivedRequest& r) {
  return std::string(r.header("X-Amz-Target"));
}

// A scripted server answering every request the same way; counts what it received.
inline std::unique_ptr<test::ScriptedHttpServer> answering(test::Reply reply) {
  return std::make_unique<test::ScriptedHttpServer>(
      [reply](const test::ReceivedRequest&) { return reply; });
}

}  // namespace sqs::itest
