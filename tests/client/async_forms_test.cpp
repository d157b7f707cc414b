// The async forms of sqs::Client against fauxqs: plain callbacks, std::future
// (boost::asio::use_future), C++20 coroutines (use_awaitable, co_spawn on a user io_context),
// deferred operations, and a Client running on a user's io_context instead of its own thread.
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>

#include "integration/itest_support.hpp"
#include "support/run_coroutine.hpp"

namespace sqs::itest {
namespace {

namespace asio = boost::asio;

using test::run_coroutine;  // (tests/support/run_coroutine.hpp: mind GCC 12 and temporaries)

class ClientAsync : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
  std::string url = create_queue(client, unique_name());
};

// Waits for an async_* call made with use_future (and fails the test rather than hang).
template <class R>
Result<R> await(std::future<Result<R>> f) {
  if (f.wait_for(30s) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within 30 s";
    return Error::make(ErrorKind::timeout, "TestTimeout", "no answer");
  }
  return f.get();
}

TEST_F(ClientAsync, EveryActionInItsAsyncForm) {
  auto fut = asio::use_future;
  std::string name = unique_name("async");
  auto created =
      await(client.async_create_queue({.queue_name = name, .tags = {{"team", "a"}}}, fut));
  ASSERT_TRUE(created) << created.error().to_string();
  const std::string q = created->queue_url;

  auto got_url = await(client.async_get_queue_url({.queue_name = name}, fut));
  ASSERT_TRUE(got_url) << got_url.error().to_string();
  EXPECT_EQ(got_url->queue_url, q);
  auto listed = await(client.async_list_queues({.queue_name_prefix = name}, fut));
  ASSERT_TRUE(listed) << listed.error().to_string();
  EXPECT_EQ(listed->queue_urls, std::vector<std::string>{q});

  ASSERT_TRUE(await(client.async_set_queue_attributes(
      {.queue_url = q, .attributes = {{"VisibilityTimeout", "45"}}}, fut)));
  auto attributes = await(client.async_get_queue_attributes(
      {.queue_url = q, .attribute_names = {"VisibilityTimeout"}}, fut));
  ASSERT_TRUE(attributes) << attributes.error().to_string();
  EXPECT_EQ(attributes->attributes.at("VisibilityTimeout"), "45");

  ASSERT_TRUE(await(client.async_tag_queue({.queue_url = q, .tags = {{"env", "test"}}}, fut)));
  ASSERT_TRUE(await(client.async_untag_queue({.queue_url = q, .tag_keys = {"team"}}, fut)));
  auto tags = await(client.async_list_queue_tags({.queue_url = q}, fut));
  ASSERT_TRUE(tags) << tags.error().to_string();
  EXPECT_EQ(tags->tags, (StringMap{{"env", "test"}}));

  auto sent = await(client.async_send_message({.queue_url = q, .message_body = "one"}, fut));
  ASSERT_TRUE(sent) << sent.error().to_string();
  SendMessageBatchRequest batch{.queue_url = q};
  for (int i = 0; i < 3; ++i)
    batch.entries.push_back({.id = std::to_string(i), .message_body = "b"});
  auto sent_batch = await(client.async_send_message_batch(std::move(batch), fut));
  ASSERT_TRUE(sent_batch) << sent_batch.error().to_string();
  EXPECT_EQ(sent_batch->successful.size(), 3u);

  std::vector<Message> messages;
  while (messages.size() < 4) {
    auto r = await(client.async_receive_message(
        {.queue_url = q, .max_number_of_messages = 10, .wait_time_seconds = 1}, fut));
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_FALSE(r->messages.empty()) << "only " << messages.size() << " of 4 came back";
    messages.insert(messages.end(), r->messages.begin(), r->messages.end());
  }
  ASSERT_TRUE(await(client.async_change_message_visibility(
      {.queue_url = q, .receipt_handle = messages[0].receipt_handle, .visibility_timeout = 60},
      fut)));
  auto changed = await(client.async_change_message_visibility_batch(
      {.queue_url = q,
       .entries =
           {{.id = "0", .receipt_handle = messages[1].receipt_handle, .visibility_timeout = 60}}},
      fut));
  ASSERT_TRUE(changed) << changed.error().to_string();
  EXPECT_EQ(changed->successful, std::vector<std::string>{"0"});
  ASSERT_TRUE(await(client.async_delete_message(
      {.queue_url = q, .receipt_handle = messages[0].receipt_handle}, fut)));
  auto deleted = await(client.async_delete_message_batch(
      {.queue_url = q,
       .entries = {{.id = "0", .receipt_handle = messages[1].receipt_handle},
                   {.id = "1", .receipt_handle = messages[2].receipt_handle}}},
      fut));
  ASSERT_TRUE(deleted) << deleted.error().to_string();
  EXPECT_EQ(deleted->successful.size(), 2u);
  ASSERT_TRUE(await(client.async_purge_queue({.queue_url = q}, fut)));

  // The actions fauxqs lacks still go out in their async form and come back as typed service
  // errors (their success paths are tested against a scripted server, actions_test.cpp).
  auto expect_service_error = [](const auto& r) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::service) << r.error().to_string();
    EXPECT_GE(r.error().http_status, 400);
  };
  expect_service_error(await(client.async_list_dead_letter_source_queues({.queue_url = q}, fut)));
  std::string arn = "arn:aws:sqs:us-east-1:000000000000:" + name;
  expect_service_error(await(client.async_start_message_move_task({.source_arn = arn}, fut)));
  expect_service_error(
      await(client.async_cancel_message_move_task({.task_handle = "no-such-task"}, fut)));
  expect_service_error(await(client.async_list_message_move_tasks({.source_arn = arn}, fut)));
  expect_service_error(await(client.async_add_permission({.queue_url = q,
                                                          .label = "l",
                                                          .aws_account_ids = {"123456789012"},
                                                          .actions = {"SendMessage"}},
                                                         fut)));
  expect_service_error(await(client.async_remove_permission({.queue_url = q, .label = "l"}, fut)));

  ASSERT_TRUE(await(client.async_delete_queue({.queue_url = q}, fut)));
  auto gone = await(client.async_get_queue_url({.queue_name = name}, fut));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, "QueueDoesNotExist");
}

TEST_F(ClientAsync, CallbackRunsOnTheClientThread) {
  std::promise<std::pair<Result<SendMessageResult>, bool>> done;
  client.async_send_message({.queue_url = url, .message_body = "cb"},
                            [&](Result<SendMessageResult> r) {
                              bool on_loop = client.in_event_loop_thread();
                              done.set_value({std::move(r), on_loop});
                            });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto [r, on_loop] = f.get();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->message_id.empty());
  EXPECT_TRUE(on_loop);
  EXPECT_FALSE(client.in_event_loop_thread());
}

// Errors arrive through the same callback, on the client's thread: a validation error never
// completes inline, in the initiating call.
TEST_F(ClientAsync, CallbackGetsErrorsToo) {
  std::promise<std::pair<Result<SendMessageResult>, std::thread::id>> done;
  client.async_send_message({.queue_url = url, .message_body = "x", .delay_seconds = 901},
                            [&](Result<SendMessageResult> r) {
                              done.set_value({std::move(r), std::this_thread::get_id()});
                            });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto [r, thread] = f.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::validation);
  EXPECT_NE(thread, std::this_thread::get_id());
}

TEST_F(ClientAsync, UseFuture) {
  auto sent =
      client.async_send_message({.queue_url = url, .message_body = "future"}, asio::use_future);
  ASSERT_EQ(sent.wait_for(10s), std::future_status::ready);
  auto s = sent.get();
  ASSERT_TRUE(s) << s.error().to_string();

  auto got = client.async_receive_message(
      {.queue_url = url, .max_number_of_messages = 1, .wait_time_seconds = 2}, asio::use_future);
  ASSERT_EQ(got.wait_for(10s), std::future_status::ready);
  auto r = got.get();
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->messages.size(), 1u);
  EXPECT_EQ(r->messages[0].message_id, s->message_id);

  // Many futures in flight at once.
  std::vector<std::future<Result<SendMessageResult>>> many;
  for (int i = 0; i < 20; ++i) {
    many.push_back(client.async_send_message(
        {.queue_url = url, .message_body = "m" + std::to_string(i)}, asio::use_future));
  }
  for (auto& f : many) {
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    EXPECT_TRUE(f.get());
  }

  auto missing =
      client.async_get_queue_url({.queue_name = unique_name("missing")}, asio::use_future);
  auto m = missing.get();
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "QueueDoesNotExist");
}

TEST_F(ClientAsync, CoroutineOnAUserIoContext) {
  asio::io_context io;
  std::thread::id coroutine_thread;
  run_coroutine(io, [&]() -> asio::awaitable<void> {
    SendMessageRequest send{.queue_url = url, .message_body = "co"};
    auto sent = co_await client.async_send_message(std::move(send), asio::use_awaitable);
    EXPECT_TRUE(sent) << sent.error().to_string();
    // The coroutine resumes on its own io_context (this thread), not the client's.
    coroutine_thread = std::this_thread::get_id();
    EXPECT_FALSE(client.in_event_loop_thread());
    ReceiveMessageRequest receive{
        .queue_url = url, .max_number_of_messages = 10, .wait_time_seconds = 2};
    auto got = co_await client.async_receive_message(std::move(receive), asio::use_awaitable);
    EXPECT_TRUE(got) << got.error().to_string();
    if (got) {
      EXPECT_EQ(got->messages.size(), 1u);
      if (!got->messages.empty()) {
        DeleteMessageRequest del_req{.queue_url = url,
                                     .receipt_handle = got->messages[0].receipt_handle};
        auto del = co_await client.async_delete_message(std::move(del_req), asio::use_awaitable);
        EXPECT_TRUE(del) << del.error().to_string();
      }
    }
    GetQueueUrlRequest missing_req{.queue_name = unique_name("missing")};
    auto missing = co_await client.async_get_queue_url(std::move(missing_req), asio::use_awaitable);
    EXPECT_FALSE(missing);
    co_return;
  });
  EXPECT_EQ(coroutine_thread, std::this_thread::get_id());
}

// Several coroutines share one client; each awaits its own calls.
TEST_F(ClientAsync, ManyCoroutinesConcurrently) {
  asio::io_context io;
  std::atomic<int> ok{0};
  for (int c = 0; c < 10; ++c) {
    asio::co_spawn(
        io,
        [&, c]() -> asio::awaitable<void> {
          for (int i = 0; i < 5; ++i) {
            SendMessageRequest req{.queue_url = url,
                                   .message_body = std::to_string(c) + "/" + std::to_string(i)};
            auto r = co_await client.async_send_message(std::move(req), asio::use_awaitable);
            if (r) ++ok;
          }
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(ok.load(), 50);
  auto attrs = client.get_queue_attributes(
      {.queue_url = url, .attribute_names = {"ApproximateNumberOfMessages"}});
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->attributes["ApproximateNumberOfMessages"], "50");
}

TEST_F(ClientAsync, Deferred) {
  auto op =
      client.async_send_message({.queue_url = url, .message_body = "deferred"}, asio::deferred);
  std::promise<Result<SendMessageResult>> done;
  std::move(op)([&](Result<SendMessageResult> r) { done.set_value(std::move(r)); });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(f.get());
}

// The generic async_call works with every token too.
TEST_F(ClientAsync, GenericAsyncCall) {
  auto f = client.async_call(GetQueueAttributesRequest{.queue_url = url}, asio::use_future);
  auto r = f.get();
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->attributes.empty());
}

// A callback bound to a strand of another io_context runs there.
TEST_F(ClientAsync, CallbackBoundToAnExecutorRunsThere) {
  asio::io_context io;
  std::thread::id ran_on;
  bool got = false;
  client.async_list_queues({},
                           asio::bind_executor(io.get_executor(), [&](Result<ListQueuesResult> r) {
                             ran_on = std::this_thread::get_id();
                             got = r.has_value();
                           }));
  io.run();  // returns once the handler ran: the work guard kept io alive until then
  EXPECT_TRUE(got);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

// ---- a Client running on the user's io_context ------------------------------------------------

TEST(ClientOnUserExecutor, RunsOnTheGivenIoContext) {
  asio::io_context io;
  Client client(io.get_executor(), fauxqs_config());
  auto name = unique_name();
  std::optional<Result<CreateQueueResult>> created;
  std::optional<Result<SendMessageResult>> sent;
  client.async_create_queue({.queue_name = name}, [&](Result<CreateQueueResult> r) {
    created = std::move(r);
    EXPECT_TRUE(client.in_event_loop_thread());
    if (!*created) return;
    client.async_send_message({.queue_url = (*created)->queue_url, .message_body = "on user loop"},
                              [&](Result<SendMessageResult> s) { sent = std::move(s); });
  });
  io.run();  // no thread of the client's: nothing happens unless the user runs the loop
  ASSERT_TRUE(created.has_value());
  ASSERT_TRUE(*created) << created->error().to_string();
  ASSERT_TRUE(sent.has_value());
  EXPECT_TRUE(*sent) << sent->error().to_string();
  EXPECT_FALSE(client.in_event_loop_thread());
}

TEST(ClientOnUserExecutor, CoroutineOnTheSameIoContext) {
  asio::io_context io;
  Client client(io.get_executor(), fauxqs_config());
  run_coroutine(io, [&]() -> asio::awaitable<void> {
    CreateQueueRequest create{.queue_name = unique_name()};
    auto created = co_await client.async_create_queue(std::move(create), asio::use_awaitable);
    EXPECT_TRUE(created);
    if (!created) co_return;
    SendMessageRequest send{.queue_url = created->queue_url, .message_body = "same loop"};
    auto sent = co_await client.async_send_message(std::move(send), asio::use_awaitable);
    EXPECT_TRUE(sent);
    ReceiveMessageRequest receive{.queue_url = created->queue_url, .wait_time_seconds = 1};
    auto got = co_await client.async_receive_message(std::move(receive), asio::use_awaitable);
    EXPECT_TRUE(got);
    if (got) {
      EXPECT_EQ(got->messages.size(), 1u);
    }
    // A sync call here would deadlock: it is refused.
    auto refused = client.list_queues({});
    EXPECT_FALSE(refused);
    if (!refused) {
      EXPECT_EQ(refused.error().code, "WouldDeadlock");
    }
  });
}

// On a user's multi-threaded pool the client serialises itself on a strand; sync calls from
// other threads block until the pool runs them.
TEST(ClientOnUserExecutor, ThreadPoolWithSyncCallsFromOutside) {
  asio::thread_pool pool(2);
  {
    Client client(pool.get_executor(), fauxqs_config());
    auto url = create_queue(client, unique_name());
    std::vector<std::future<Result<SendMessageResult>>> sends;
    for (int i = 0; i < 20; ++i) {
      sends.push_back(client.async_send_message(
          {.queue_url = url, .message_body = std::to_string(i)}, asio::use_future));
    }
    for (auto& f : sends) EXPECT_TRUE(f.get());
    auto attrs = client.get_queue_attributes(
        {.queue_url = url, .attribute_names = {"ApproximateNumberOfMessages"}});
    ASSERT_TRUE(attrs) << attrs.error().to_string();
    EXPECT_EQ(attrs->attributes["ApproximateNumberOfMessages"], "20");
  }
  pool.join();
}

}  // namespace
}  // namespace sqs::itest
