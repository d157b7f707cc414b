// http::Pool cancellation and destruction with requests in flight: every handler is called
// exactly once with operation_aborted, nothing hangs, nothing touches freed memory (run these
// under ASan).
#include <memory>
#include <vector>

#include "pool_test_support.hpp"

namespace sqs::http::testing {
namespace {

namespace asio = boost::asio;

using Outcomes = std::vector<std::shared_ptr<Outcome>>;

Outcomes send_many(Pool& pool, const Endpoint& endpoint, int count) {
  Outcomes outcomes;
  for (int i = 0; i < count; ++i) {
    outcomes.push_back(std::make_shared<Outcome>());
    pool.async_send(endpoint, post("x"), 30s, record_into(outcomes.back()));
  }
  return outcomes;
}

bool all_called(const Outcomes& outcomes) {
  for (const auto& o : outcomes) {
    if (o->calls == 0) return false;
  }
  return true;
}

void expect_all_aborted(const Outcomes& outcomes) {
  for (const auto& o : outcomes) {
    EXPECT_EQ(o->calls, 1);
    EXPECT_EQ(o->ec, asio::error::operation_aborted);
  }
}

TEST_F(PoolTest, CancelAllAbortsRequestsWaitingForAnswers) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::hang(); });
  Pool pool(io.get_executor(), {});
  const Outcomes outcomes = send_many(pool, endpoint_of(server.endpoint()), 10);
  ASSERT_TRUE(run_until([&] { return server.requests_received() == 10; }));
  EXPECT_EQ(pool.open_connections(), 10u);
  pool.cancel_all();
  EXPECT_EQ(pool.open_connections(), 0u);
  for (const auto& o : outcomes) EXPECT_EQ(o->calls, 0);  // posted, not called inline
  ASSERT_TRUE(run_until([&] { return all_called(outcomes); }));
  expect_all_aborted(outcomes);
  io.restart();
  io.poll();  // nothing completes twice
  for (const auto& o : outcomes) EXPECT_EQ(o->calls, 1);
}

TEST_F(PoolTest, CancelAllAbortsRequestsStillConnecting) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::ok(); });
  Pool pool(io.get_executor(), {});
  const Outcomes by_ip = send_many(pool, endpoint_of(server.endpoint()), 5);
  const Outcomes by_name =
      send_many(pool, endpoint_of("http://localhost:" + std::to_string(server.port())), 5);
  pool.cancel_all();  // before the io_context ever ran: resolving / connecting
  ASSERT_TRUE(run_until([&] { return all_called(by_ip) && all_called(by_name); }));
  expect_all_aborted(by_ip);
  expect_all_aborted(by_name);
  EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(PoolTest, PoolStaysUsableAfterCancelAll) {
  ScriptedHttpServer server([](const ReceivedRequest& r) { return Reply::ok(r.body); });
  Pool pool(io.get_executor(), {});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  EXPECT_FALSE(send(pool, endpoint, post("before")).ec);
  pool.cancel_all();  // also closes the idle connection
  EXPECT_EQ(pool.open_connections(), 0u);
  const Outcome out = send(pool, endpoint, post("after"));
  ASSERT_FALSE(out.ec) << out.ec.message();
  EXPECT_EQ(out.response.body, "after");
}

TEST_F(PoolTest, DestroyingThePoolAbortsEverythingInFlight) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::hang(); });
  auto pool = std::make_unique<Pool>(io.get_executor(), PoolOptions{});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  const Outcomes answered = send_many(*pool, endpoint, 5);
  ASSERT_TRUE(run_until([&] { return server.requests_received() == 5; }));
  const Outcomes connecting = send_many(*pool, endpoint, 5);
  pool.reset();
  ASSERT_TRUE(run_until([&] { return all_called(answered) && all_called(connecting); }));
  expect_all_aborted(answered);
  expect_all_aborted(connecting);
  // Every pending operation drains: the io_context runs out of work instead of hanging.
  io.restart();
  io.run_for(5s);
  EXPECT_TRUE(io.stopped());
}

TEST_F(PoolTest, DestroyingThePoolFromAHandler) {
  ScriptedHttpServer server([](const ReceivedRequest& r) {
    return r.body == "answer" ? Reply::ok("answered") : Reply::hang();
  });
  auto pool = std::make_unique<Pool>(io.get_executor(), PoolOptions{});
  const Endpoint endpoint = endpoint_of(server.endpoint());
  const Outcomes hanging = send_many(*pool, endpoint, 4);
  ASSERT_TRUE(run_until([&] { return server.requests_received() == 4; }));
  auto answered = std::make_shared<Outcome>();
  pool->async_send(endpoint, post("answer"), 30s, [&, answered](error_code ec, Response r) {
    record_into(answered)(ec, std::move(r));
    pool.reset();  // from inside one of the pool's own completions
  });
  ASSERT_TRUE(run_until([&] { return all_called(hanging) && answered->calls > 0; }));
  EXPECT_EQ(answered->calls, 1);
  EXPECT_FALSE(answered->ec);
  EXPECT_EQ(answered->response.body, "answered");
  expect_all_aborted(hanging);
  io.restart();
  io.run_for(5s);
  EXPECT_TRUE(io.stopped());
}

TEST_F(PoolTest, AbortedHandlersRunAfterThePoolIsGone) {
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::hang(); });
  auto pool = std::make_unique<Pool>(io.get_executor(), PoolOptions{});
  auto first = std::make_shared<Outcome>();
  bool pool_was_gone = false;
  pool->async_send(endpoint_of(server.endpoint()), post("x"), 30s,
                   [&, first](error_code ec, Response r) {
                     record_into(first)(ec, std::move(r));
                     pool_was_gone = pool == nullptr;
                   });
  pool.reset();
  ASSERT_TRUE(run_until([&] { return first->calls == 1; }));
  EXPECT_EQ(first->ec, asio::error::operation_aborted);
  EXPECT_TRUE(pool_was_gone);
}

TEST_F(PoolTest, DestroyingTheIoContextWithoutRunningItLeaksNothing) {
  // ASan's leak checker would report the connections if a cycle kept them alive.
  ScriptedHttpServer server([](const ReceivedRequest&) { return Reply::hang(); });
  auto local_io = std::make_unique<asio::io_context>();
  auto pool = std::make_unique<Pool>(local_io->get_executor(), PoolOptions{});
  auto outcome = std::make_shared<Outcome>();
  pool->async_send(endpoint_of(server.endpoint()), post("x"), 30s, record_into(outcome));
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server.requests_received() == 0 && std::chrono::steady_clock::now() < deadline) {
    local_io->run_one_for(50ms);
  }
  EXPECT_EQ(server.requests_received(), 1u);
  pool.reset();
  local_io.reset();
  EXPECT_EQ(outcome.use_count(), 1);  // the handler was destroyed with the io_context
}

}  // namespace
}  // namespace sqs::http::testing
