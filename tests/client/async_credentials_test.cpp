// The client asks its credentials provider without blocking its event loop: a call whose
// provider is still fetching waits off the loop while other calls on the same loop go on; it is
// signed with what the fetch brought; it can be cancelled while waiting; a fetch error fails
// the call without sending anything.
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

namespace asio = boost::asio;

// Waits until `condition` holds (false after 5 s).
template <class F>
bool eventually(F&& condition) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::yield();
  }
  return true;
}

// A fetch that waits until the test opens its gate.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> fetches{0};
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    cv.notify_all();
  }
  Result<Credentials> fetch(Result<Credentials> answer) {
    fetches.fetch_add(1);
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return open; });
    return answer;
  }
};

class AsyncCredentials : public ::testing::Test {
 protected:
  void SetUp() override {
    env.clear_aws();
    env.set("AWS_EC2_METADATA_DISABLED", "true");
    loop = std::thread([this] { io.run(); });
  }
  void TearDown() override {
    gate->release();
    guard.reset();
    if (loop.joinable()) loop.join();
  }
  ClientConfig config(std::shared_ptr<CredentialsProvider> provider) {
    ClientConfig c;
    c.region = "us-east-1";
    c.endpoint = server->endpoint();
    c.credentials_provider = std::move(provider);
    return c;
  }
  std::shared_ptr<CredentialsProvider> gated(Result<Credentials> answer) {
    return make_refreshing_credentials_provider("gated",
                                                [g = gate, answer] { return g->fetch(answer); });
  }
  static PurgeQueueRequest purge() {
    return {.queue_url = "https://sqs.us-east-1.amazonaws.com/1/q"};
  }

  ScopedEnv env;
  std::unique_ptr<test::ScriptedHttpServer> server = answering(sqs_json("{}"));
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard{io.get_executor()};
  std::thread loop;
};

TEST_F(AsyncCredentials, AWaitingCallDoesNotHoldUpTheLoop) {
  Client waiting(io.get_executor(),
                 config(gated(Credentials{"ASIAFETCHED", "s", "tok", std::nullopt, ""})));
  ClientConfig other = config(nullptr);
  other.credentials = Credentials{"AKIDSTATIC", "s", {}, std::nullopt, ""};
  Client ready(io.get_executor(), other);

  std::promise<Result<Empty>> first;
  waiting.async_purge_queue(purge(), [&](Result<Empty> r) { first.set_value(std::move(r)); });
  ASSERT_TRUE(eventually([&] { return gate->fetches.load() == 1; }));
  // Same loop, credentials at hand: answered while the other call waits for its fetch.
  std::promise<Result<Empty>> second;
  ready.async_purge_queue(purge(), [&](Result<Empty> r) { second.set_value(std::move(r)); });
  auto f2 = second.get_future();
  ASSERT_EQ(f2.wait_for(5s), std::future_status::ready) << "the loop was blocked";
  EXPECT_TRUE(f2.get());
  auto f1 = first.get_future();
  EXPECT_EQ(f1.wait_for(0s), std::future_status::timeout);
  EXPECT_EQ(server->requests_received(), 1u);

  gate->release();
  ASSERT_EQ(f1.wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(f1.get());
  ASSERT_EQ(server->requests_received(), 2u);
  auto got = server->received();
  EXPECT_NE(std::string(got[1].header("Authorization")).find("Credential=ASIAFETCHED/"),
            std::string::npos);
  EXPECT_EQ(got[1].header("X-Amz-Security-Token"), "tok");
  // The next call uses the cache: no fetch.
  EXPECT_TRUE(waiting.purge_queue(purge()));
  EXPECT_EQ(gate->fetches.load(), 1);
}

TEST_F(AsyncCredentials, AFetchErrorFailsTheCallWithoutSending) {
  gate->release();
  Client client(io.get_executor(),
                config(gated(Error::make(ErrorKind::configuration, "Nope", "no role for you"))));
  auto r = client.purge_queue(purge());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "Nope");
  EXPECT_EQ(server->requests_received(), 0u);
}

TEST_F(AsyncCredentials, ACallWaitingForCredentialsCanBeCancelled) {
  Client client(io.get_executor(), config(gated(Credentials{"A", "s", "", std::nullopt, ""})));
  asio::cancellation_signal signal;
  std::promise<Result<Empty>> done;
  client.async_purge_queue(
      purge(), asio::bind_cancellation_slot(
                   signal.slot(), [&](Result<Empty> r) { done.set_value(std::move(r)); }));
  ASSERT_TRUE(eventually([&] { return gate->fetches.load() == 1; }));
  signal.emit(asio::cancellation_type::terminal);
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready) << "the wait was not cancelled";
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::cancelled);
  // The fetch ends after all: its answer is dropped. (Before the client goes: destroying it
  // waits for a fetch in progress of the provider it owns.)
  gate->release();
  EXPECT_EQ(server->requests_received(), 0u);
}

// A provider answering from a thread of its own that keeps the callback a while after calling
// it (as a cache's worker does while it answers its other waiters).
class LingeringProvider final : public CredentialsProvider {
 public:
  ~LingeringProvider() override { join(); }
  Result<Credentials> credentials() override {
    return Credentials{"ASIALATE", "s", "", std::nullopt, ""};
  }
  void async_credentials(CredentialsCallback done) override {
    std::lock_guard lock(mutex_);
    threads_.emplace_back([this, done = std::move(done)]() mutable {
      done(credentials());
      std::this_thread::sleep_for(300ms);  // `done` is destroyed after this
    });
  }
  void join() {
    std::lock_guard lock(mutex_);
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::thread> threads_;
};

// The provider's thread never holds the last reference to the call, and so to the client: were
// it to drop it after the owner destroyed the client and then its io_context, it would destroy
// the client there, on a dead io_context (AddressSanitizer: heap-use-after-free).
TEST_F(AsyncCredentials, TheProvidersThreadNeverOutlivesTheClientWithIt) {
  auto provider = std::make_shared<LingeringProvider>();
  {
    asio::io_context own;
    auto work = asio::make_work_guard(own);
    std::thread thread([&] { own.run(); });
    {
      Client client(own.get_executor(), config(provider));
      auto r = client.purge_queue(purge());
      EXPECT_TRUE(r) << r.error().to_string();
    }
    work.reset();
    thread.join();
  }  // the io_context is gone while the provider's thread still holds its callback
  provider->join();
  EXPECT_EQ(server->requests_received(), 1u);
}

TEST_F(AsyncCredentials, TheDefaultChainWithNothingConfiguredFailsAtOnce) {
  env.set("AWS_CONFIG_FILE", "/nonexistent/sqs-config");
  env.set("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sqs-credentials");
  Client client(io.get_executor(), config(nullptr));
  const auto start = std::chrono::steady_clock::now();
  auto r = client.purge_queue(purge());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "CredentialsNotFound");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(server->requests_received(), 0u);
}

}  // namespace
}  // namespace sqs::itest
