// Lifetime of sqs::Client: destroying it with calls in flight completes each with `cancelled`
// (never a hang, never a lost handler), handles outliving the owner fail cleanly, sync calls on
// the client's own thread are refused, and moving a client keeps it working.
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

namespace asio = boost::asio;

TEST(ClientLifecycle, DestroyingTheClientCancelsHangingCalls) {
  auto server = answering(test::Reply::hang());
  auto client = std::make_unique<Client>(config_for(server->endpoint()));
  constexpr std::size_t n = 20;
  Latch done;
  std::atomic<std::size_t> cancelled{0};
  for (std::size_t i = 0; i < n; ++i) {
    client->async_list_queues({}, [&](Result<ListQueuesResult> r) {
      if (!r && r.error().kind == ErrorKind::cancelled) ++cancelled;
      done.count_down();
    });
  }
  ASSERT_TRUE(server->wait_for_requests(n, 10s));
  client.reset();  // returns once every call completed: the client's thread is joined
  EXPECT_EQ(done.count(), n);
  EXPECT_EQ(cancelled.load(), n);
}

TEST(ClientLifecycle, DestroyingTheClientCancelsFuturesAndBackOffs) {
  // One call hangs, one waits in its back-off before a retry.
  test::ScriptedHttpServer server([](const test::ReceivedRequest& r) {
    if (target_of(r) == "AmazonSQS.PurgeQueue") return sqs_error(500, "InternalError", "");
    return test::Reply::hang();
  });
  auto c = config_for(server.endpoint());
  c.retry.base_delay = 60s;
  c.retry.max_backoff = 60s;
  auto client = std::make_unique<Client>(c);
  auto hanging = client->async_list_queues({}, asio::use_future);
  auto backing_off = client->async_purge_queue({.queue_url = "https://x/1/q"}, asio::use_future);
  ASSERT_TRUE(server.wait_for_requests(2, 10s));
  client.reset();
  ASSERT_EQ(hanging.wait_for(0s), std::future_status::ready);
  ASSERT_EQ(backing_off.wait_for(0s), std::future_status::ready);
  auto h = hanging.get();
  auto b = backing_off.get();
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().kind, ErrorKind::cancelled);
  // Either the back-off was cancelled, or (random jitter of 0 ms) the retry was in flight.
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind, ErrorKind::cancelled) << b.error().to_string();
}

// A sync call blocked in another thread is released by the destruction too.
TEST(ClientLifecycle, DestroyingTheClientReleasesABlockedSyncCall) {
  auto server = answering(test::Reply::hang());
  auto client = std::make_unique<Client>(config_for(server->endpoint()));
  Client handle = client->handle();
  auto blocked = std::async(std::launch::async, [&] { return handle.list_queues({}); });
  ASSERT_TRUE(server->wait_for_requests(1, 10s));
  client.reset();
  ASSERT_EQ(blocked.wait_for(10s), std::future_status::ready);
  auto r = blocked.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::cancelled);
}

TEST(ClientLifecycle, HandleOutlivingTheOwnerGetsCancelledErrors) {
  auto owner = std::make_unique<Client>(fauxqs_config());
  Client handle = owner->handle();
  EXPECT_TRUE(owner->is_owner());
  EXPECT_FALSE(handle.is_owner());
  auto url = create_queue(handle, unique_name());
  owner.reset();

  auto sync = handle.send_message({.queue_url = url, .message_body = "late"});
  ASSERT_FALSE(sync);
  EXPECT_EQ(sync.error().kind, ErrorKind::cancelled);

  // The async forms complete too (not lost in a loop nobody runs any more).
  auto future =
      handle.async_send_message({.queue_url = url, .message_body = "late"}, asio::use_future);
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  auto f = future.get();
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::cancelled);

  std::promise<Result<ListQueuesResult>> cb;
  handle.async_list_queues({}, [&](Result<ListQueuesResult> r) { cb.set_value(std::move(r)); });
  auto cf = cb.get_future();
  ASSERT_EQ(cf.wait_for(5s), std::future_status::ready);
  auto c = cf.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, ErrorKind::cancelled);

  // A validation error still says what was wrong.
  auto invalid = handle.send_message({.queue_url = url, .message_body = ""});
  ASSERT_FALSE(invalid);
}

TEST(ClientLifecycle, SyncCallInsideACompletionHandlerIsRefused) {
  Client client(fauxqs_config());
  std::promise<Result<ListQueuesResult>> inner;
  client.async_list_queues({}, [&](Result<ListQueuesResult>) {
    inner.set_value(client.list_queues({}));  // on the client's thread: would deadlock
  });
  auto f = inner.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "WouldDeadlock");
  EXPECT_EQ(r.error().kind, ErrorKind::configuration);
  EXPECT_NE(r.error().message.find("async"), std::string::npos);
  // The client is fine afterwards.
  EXPECT_TRUE(client.list_queues({}));
}

TEST(ClientLifecycle, DestroyingTheClientFromItsOwnHandler) {
  auto client = std::make_unique<Client>(fauxqs_config());
  std::promise<bool> destroyed;
  client->async_list_queues({}, [&](Result<ListQueuesResult>) {
    client.reset();  // on the client's own thread: must not deadlock joining itself
    destroyed.set_value(true);
  });
  auto f = destroyed.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(f.get());
}

TEST(ClientLifecycle, MovedClientKeepsWorking) {
  Client a(fauxqs_config());
  Client b(std::move(a));
  EXPECT_TRUE(b.is_owner());
  EXPECT_TRUE(b.list_queues({}));
  Client c(fauxqs_config());
  c = std::move(b);  // the old c is shut down, b's client lives on in c
  EXPECT_TRUE(c.list_queues({}));
}

TEST(ClientLifecycle, ClientOnUserIoContextDestroyedWithCallsInFlight) {
  auto server = answering(test::Reply::hang());
  asio::io_context io;
  auto client = std::make_unique<Client>(io.get_executor(), config_for(server->endpoint()));
  std::optional<Result<ListQueuesResult>> result;
  client->async_list_queues({}, [&](Result<ListQueuesResult> r) { result = std::move(r); });
  // Run the loop until the request reached the server.
  while (server->requests_received() == 0) io.run_one_for(100ms);
  client.reset();
  io.run();  // finishes: the cancelled call completes, nothing keeps the loop alive
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().kind, ErrorKind::cancelled);
}

// Creating and destroying many clients leaves no thread behind.
TEST(ClientLifecycle, ClientsLeaveNoThreads) {
  auto before = thread_count();
  for (int i = 0; i < 20; ++i) {
    Client client(fauxqs_config());
    ASSERT_TRUE(client.list_queues({.max_results = 1}));
  }
  EXPECT_EQ(thread_count(), before);
}

}  // namespace
}  // namespace sqs::itest
