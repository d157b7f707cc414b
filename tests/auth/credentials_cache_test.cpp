// The caching, refreshing wrapper, with a manual clock: single flight, the advisory and
// mandatory windows, back-off after failures, static stability. Fetches are gated by the test
// (a fetch runs on the cache's worker and waits until the test opens the gate).
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "auth/auth_test_support.hpp"
#include "auth/credentials_cache.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;

// A fetch the test controls: each call returns the next scripted answer, after the gate opens.
class ScriptedFetch {
 public:
  // What every fetch from now on answers.
  void push(Result<Credentials> answer) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(answer);
  }
  void hold() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  int started() const { return started_.load(); }
  int finished() const { return finished_.load(); }

  Result<Credentials> operator()() {
    started_.fetch_add(1);
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return open_; });
    Result<Credentials> answer = answer_;
    finished_.fetch_add(1);
    return answer;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = true;
  Result<Credentials> answer_ = Error::make(ErrorKind::transport, "Scripted", "no answer set");
  std::atomic<int> started_{0};
  std::atomic<int> finished_{0};
};

class CredentialsCacheTest : public AuthTest {
 protected:
  Credentials creds(const std::string& key, std::chrono::seconds lifetime) {
    return Credentials{key, kSecret, kSessionToken, wall(*clock) + lifetime, ""};
  }
  std::shared_ptr<auth::CredentialsCache> make(CredentialsRefreshOptions refresh = {}) {
    refresh.clock = clock;
    refresh.warn = [this](const std::string& w) {
      std::lock_guard lock(warn_mutex);
      warnings.push_back(w);
    };
    return std::make_shared<auth::CredentialsCache>(
        "scripted", [f = fetch] { return (*f)(); }, refresh);
  }
  std::shared_ptr<ScriptedFetch> fetch = std::make_shared<ScriptedFetch>();
};

TEST_F(CredentialsCacheTest, FirstCallFetchesAndLaterCallsUseTheCache) {
  fetch->push(creds("AKID1", 1h));
  auto cache = make();
  EXPECT_EQ(cache->current(), nullptr);  // nothing yet: no I/O on the hot path
  auto r = cache->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "AKID1");
  EXPECT_EQ(r->provider, "scripted");
  for (int i = 0; i < 100; ++i) {
    auto c = cache->current();
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->access_key_id, "AKID1");
  }
  EXPECT_EQ(cache->fetches(), 1u);
}

TEST_F(CredentialsCacheTest, AThousandConcurrentCallersCauseOneFetch) {
  fetch->push(creds("AKID1", 1h));
  fetch->hold();
  auto cache = make();
  std::atomic<int> answered{0}, good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        cache->async_credentials([&](Result<Credentials> r) {
          if (r && r->access_key_id == "AKID1") good.fetch_add(1);
          answered.fetch_add(1);
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(eventually([&] { return fetch->started() == 1; }));
  EXPECT_EQ(answered.load(), 0);  // all waiting for the one fetch
  fetch->release();
  ASSERT_TRUE(eventually([&] { return answered.load() == 1000; }));
  EXPECT_EQ(good.load(), 1000);
  EXPECT_EQ(cache->fetches(), 1u);
  EXPECT_EQ(fetch->started(), 1);
}

TEST_F(CredentialsCacheTest, TheAdvisoryWindowRefreshesInTheBackgroundWhileCallsContinue) {
  fetch->push(creds("AKID1", 1h));
  auto cache = make();
  ASSERT_TRUE(cache->credentials());
  fetch->hold();
  fetch->push(creds("AKID2", 1h));
  clock->advance(1h - 4min);  // inside the advisory window (5 min), outside the mandatory (1 min)
  for (int i = 0; i < 1000; ++i) {
    auto c = cache->current();
    ASSERT_NE(c, nullptr) << "a call waited in the advisory window";
    EXPECT_EQ(c->access_key_id, "AKID1");
  }
  ASSERT_TRUE(eventually([&] { return fetch->started() == 2; }));
  EXPECT_EQ(cache->fetches(), 2u);  // one background refresh, however many calls
  fetch->release();
  ASSERT_TRUE(eventually([&] {
    auto c = cache->current();
    return c && c->access_key_id == "AKID2";
  }));
  EXPECT_EQ(cache->fetches(), 2u);
}

TEST_F(CredentialsCacheTest, TheMandatoryWindowMakesCallersWaitForTheRefresh) {
  fetch->push(creds("AKID1", 1h));
  auto cache = make();
  ASSERT_TRUE(cache->credentials());
  fetch->hold();
  fetch->push(creds("AKID2", 1h));
  clock->advance(1h - 30s);  // inside the mandatory window
  EXPECT_EQ(cache->current(), nullptr);
  std::promise<Result<Credentials>> answer;
  cache->async_credentials([&](Result<Credentials> r) { answer.set_value(std::move(r)); });
  auto future = answer.get_future();
  ASSERT_TRUE(eventually([&] { return fetch->started() == 2; }));
  EXPECT_EQ(future.wait_for(0s), std::future_status::timeout);
  fetch->release();
  auto r = future.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access_key_id, "AKID2");
  EXPECT_EQ(cache->current()->access_key_id, "AKID2");
}

TEST_F(CredentialsCacheTest, AFailedRefreshKeepsValidCredentialsAndBacksOff) {
  fetch->push(creds("AKID1", 1h));
  auto cache = make();
  ASSERT_TRUE(cache->credentials());
  fetch->push(Error::make(ErrorKind::transport, "Down", "the endpoint is down"));
  clock->advance(1h - 4min);
  ASSERT_NE(cache->current(), nullptr);  // starts the refresh
  ASSERT_TRUE(eventually([&] { return fetch->finished() == 2; }));
  // The failure is absorbed: the current credentials stay, and no new fetch starts during the
  // back-off however many calls come.
  for (int i = 0; i < 100; ++i) ASSERT_EQ(cache->current()->access_key_id, "AKID1");
  EXPECT_EQ(fetch->started(), 2);
  // In the mandatory window, still valid and backing off: calls keep them rather than wait.
  clock->advance(3min + 30s);
  auto r = cache->credentials();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access_key_id, "AKID1");
  // After the back-off (1 s, then 2 s), the next call tries again.
  fetch->push(creds("AKID2", 1h));
  clock->advance(2s);
  r = cache->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "AKID2");
}

TEST_F(CredentialsCacheTest, AFailureWithNothingCachedIsReportedAndNotRetriedAtEveryCall) {
  fetch->push(Error::make(ErrorKind::configuration, "Broken", "endpoint said no"));
  auto cache = make();
  expect_error(cache->credentials(), {"endpoint said no"});
  EXPECT_EQ(fetch->started(), 1);
  for (int i = 0; i < 10; ++i) expect_error(cache->credentials(), {"endpoint said no"});
  EXPECT_EQ(fetch->started(), 1);  // answered from the last error during the back-off
  fetch->push(creds("AKID1", 1h));
  clock->advance(1s);
  auto r = cache->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(fetch->started(), 2);
}

TEST_F(CredentialsCacheTest, ExpiredCredentialsAreNotUsedWithoutStaticStability) {
  fetch->push(creds("AKID1", 1h));
  auto cache = make();
  ASSERT_TRUE(cache->credentials());
  fetch->push(Error::make(ErrorKind::transport, "Down", "the endpoint is down"));
  clock->advance(2h);
  EXPECT_EQ(cache->current(), nullptr);
  expect_error(cache->credentials(), {"the endpoint is down"});
}

TEST_F(CredentialsCacheTest, StaticStabilityKeepsExpiredCredentialsWithAWarning) {
  CredentialsRefreshOptions refresh;
  refresh.static_stability = true;
  fetch->push(creds("AKID1", 1h));
  auto cache = make(refresh);
  ASSERT_TRUE(cache->credentials());
  fetch->push(Error::make(ErrorKind::timeout, "Down", "instance metadata did not answer"));
  clock->advance(2h);
  auto r = cache->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "AKID1");
  {
    std::lock_guard lock(warn_mutex);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("static stability"), std::string::npos) << warnings[0];
    expect_no_secret(warnings[0]);
  }
  // Used without waiting for the extension; refreshes are still tried, after the back-off.
  ASSERT_NE(cache->current(), nullptr);
  fetch->push(creds("AKID2", 1h));
  clock->advance(2s);
  cache->current();
  ASSERT_TRUE(eventually([&] {
    auto c = cache->current();
    return c && c->access_key_id == "AKID2";
  }));
}

TEST_F(CredentialsCacheTest, StaticStabilityExtendsCredentialsThatArriveExpired) {
  CredentialsRefreshOptions refresh;
  refresh.static_stability = true;
  fetch->push(creds("OLD", -10min));  // what IMDS hands out during an outage
  auto cache = make(refresh);
  auto r = cache->credentials();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->access_key_id, "OLD");
  EXPECT_GT(*r->expiration, wall(*clock));
  std::lock_guard lock(warn_mutex);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST_F(CredentialsCacheTest, CredentialsThatArriveExpiredAreAFailureNotAFetchAtEveryCall) {
  fetch->push(creds("OLD", -1min));
  auto cache = make();
  expect_error(cache->credentials(), {"expired at"});
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(cache->credentials());
  EXPECT_EQ(fetch->started(), 1);
}

TEST_F(CredentialsCacheTest, ShortLivedCredentialsAreNotRefreshedAtEveryCall) {
  fetch->push(creds("AKID1", 2min));  // shorter than the advisory window
  auto cache = make();
  ASSERT_TRUE(cache->credentials());
  for (int i = 0; i < 100; ++i) ASSERT_NE(cache->current(), nullptr);
  EXPECT_EQ(cache->fetches(), 1u);
  clock->advance(61s);  // past half the lifetime: one background refresh
  fetch->push(creds("AKID2", 2min));
  ASSERT_NE(cache->current(), nullptr);
  ASSERT_TRUE(eventually([&] { return cache->current()->access_key_id == "AKID2"; }));
  EXPECT_EQ(cache->fetches(), 2u);
}

TEST_F(CredentialsCacheTest, CredentialsWithoutExpirationAreKeptForever) {
  fetch->push(Credentials{"AKID1", kSecret, "", std::nullopt, ""});
  auto cache = make();
  ASSERT_TRUE(cache->credentials());
  clock->advance(24h * 365);
  ASSERT_NE(cache->current(), nullptr);
  EXPECT_EQ(cache->fetches(), 1u);
}

TEST_F(CredentialsCacheTest, DestroyingTheCacheAnswersItsWaiters) {
  fetch->hold();
  fetch->push(creds("AKID1", 1h));
  std::promise<Result<Credentials>> answer;
  auto future = answer.get_future();
  {
    auto cache = make();
    cache->async_credentials([&](Result<Credentials> r) { answer.set_value(std::move(r)); });
    ASSERT_TRUE(eventually([&] { return fetch->started() == 1; }));
    std::thread opener([&] { fetch->release(); });
    cache.reset();  // waits for the fetch, then the worker ends
    opener.join();
  }
  auto r = future.get();  // answered: with the fetch's result, or cancelled
  if (!r) {
    EXPECT_EQ(r.error().kind, ErrorKind::cancelled);
  }
}

}  // namespace
}  // namespace sqs::auth_test
