// The async forms of sqs::Queue against fauxqs: callbacks, std::future, C++20 coroutines on a
// user io_context (co_spawn + use_awaitable), async_open, and the queue-level operations
// (purge, delete queue, attributes) in every form.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <future>

#include "integration/itest_support.hpp"
#include "support/run_coroutine.hpp"

namespace sqs::itest {
namespace {

namespace asio = boost::asio;

using test::run_coroutine;  // (tests/support/run_coroutine.hpp: mind GCC 12 and temporaries)

class QueueAsync : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
  Queue queue = create_queue_object(client, unique_name());
};

TEST_F(QueueAsync, Callbacks) {
  std::promise<Result<SendMessageResult>> sent;
  queue.async_send("cb", {}, [&](Result<SendMessageResult> r) { sent.set_value(std::move(r)); });
  auto s = sent.get_future().get();
  ASSERT_TRUE(s) << s.error().to_string();

  std::promise<Result<std::vector<Message>>> got;
  queue.async_receive({.wait_time_seconds = 2},
                      [&](Result<std::vector<Message>> r) { got.set_value(std::move(r)); });
  auto g = got.get_future().get();
  ASSERT_TRUE(g) << g.error().to_string();
  ASSERT_EQ(g->size(), 1u);
  EXPECT_EQ((*g)[0].message_id, s->message_id);

  std::promise<Result<Empty>> deleted;
  queue.async_delete_message((*g)[0].receipt_handle,
                             [&](Result<Empty> r) { deleted.set_value(std::move(r)); });
  EXPECT_TRUE(deleted.get_future().get());
}

TEST_F(QueueAsync, Futures) {
  auto batch = queue.async_send_batch({{"a", {}}, {"b", {}}, {"c", {}}}, asio::use_future).get();
  ASSERT_TRUE(batch) << batch.error().to_string();
  EXPECT_EQ(batch->successful.size(), 3u);

  std::vector<Message> got;
  while (got.size() < 3) {
    auto r =
        queue.async_receive({.max_messages = 10, .wait_time_seconds = 1}, asio::use_future).get();
    ASSERT_TRUE(r) << r.error().to_string();
    if (r->empty()) break;
    got.insert(got.end(), r->begin(), r->end());
  }
  ASSERT_EQ(got.size(), 3u);
  auto vis = queue.async_change_visibility(got[0].receipt_handle, 100, asio::use_future).get();
  EXPECT_TRUE(vis) << vis.error().to_string();
  auto vis_batch =
      queue
          .async_change_visibility_batch(
              {{got[1].receipt_handle, 100}, {got[2].receipt_handle, 100}}, asio::use_future)
          .get();
  ASSERT_TRUE(vis_batch);
  EXPECT_EQ(vis_batch->successful, (std::vector<std::size_t>{0, 1}));
  auto del =
      queue
          .async_delete_batch({got[0].receipt_handle, got[1].receipt_handle, got[2].receipt_handle},
                              asio::use_future)
          .get();
  ASSERT_TRUE(del);
  EXPECT_TRUE(del->all_succeeded());

  auto set = queue.async_set_attributes({{"VisibilityTimeout", "77"}}, asio::use_future).get();
  ASSERT_TRUE(set) << set.error().to_string();
  auto attrs = queue.async_attributes({"VisibilityTimeout"}, asio::use_future).get();
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->at("VisibilityTimeout"), "77");

  ASSERT_TRUE(queue.send("to purge"));
  EXPECT_TRUE(queue.async_purge(asio::use_future).get());
  auto count = queue.attributes({"ApproximateNumberOfMessages"});
  ASSERT_TRUE(count);
  EXPECT_EQ(count->at("ApproximateNumberOfMessages"), "0");

  EXPECT_TRUE(queue.async_delete_queue(asio::use_future).get());
  auto gone = queue.send("after delete");
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, "QueueDoesNotExist");
}

TEST_F(QueueAsync, Coroutine) {
  asio::io_context io;
  run_coroutine(io, [&]() -> asio::awaitable<void> {
    std::string name = queue.name();
    auto opened = co_await Queue::async_open(client, name, asio::use_awaitable);
    EXPECT_TRUE(opened) << opened.error().to_string();
    if (!opened) co_return;
    EXPECT_EQ(opened->url(), queue.url());

    SendOptions options;
    options.attribute("n", 1);
    auto sent = co_await opened->async_send("from a coroutine", options, asio::use_awaitable);
    EXPECT_TRUE(sent) << sent.error().to_string();

    ReceiveOptions receive{
        .max_messages = 10, .wait_time_seconds = 2, .message_attribute_names = {"All"}};
    auto got = co_await opened->async_receive(receive, asio::use_awaitable);
    EXPECT_TRUE(got) << got.error().to_string();
    if (!got || got->size() != 1) co_return;
    EXPECT_EQ((*got)[0].body, "from a coroutine");
    EXPECT_EQ((*got)[0].message_attributes.at("n").string_value, "1");

    std::string receipt = (*got)[0].receipt_handle;
    auto del = co_await opened->async_delete_message(receipt, asio::use_awaitable);
    EXPECT_TRUE(del);

    std::string missing = unique_name("missing");
    auto none = co_await Queue::async_open(client, missing, asio::use_awaitable);
    EXPECT_FALSE(none);
    if (!none) {
      EXPECT_EQ(none.error().code, "QueueDoesNotExist");
    }
    // A URL opens without a request.
    std::string url = queue.url();
    auto by_url = co_await Queue::async_open(client, url, asio::use_awaitable);
    EXPECT_TRUE(by_url);
  });
}

TEST_F(QueueAsync, AsyncOpenWithFuture) {
  auto opened = Queue::async_open(client, queue.name(), asio::use_future).get();
  ASSERT_TRUE(opened) << opened.error().to_string();
  EXPECT_EQ(opened->url(), queue.url());
}

// A Queue outliving its Client: cancelled errors in every form, no crash, no lost handler.
TEST(QueueLifetime, QueueOutlivingItsClientGetsCancelledErrors) {
  auto client = std::make_unique<Client>(fauxqs_config());
  Queue queue = create_queue_object(*client, unique_name());
  ASSERT_TRUE(queue.send("before"));
  client.reset();

  auto sync = queue.send("after");
  ASSERT_FALSE(sync);
  EXPECT_EQ(sync.error().kind, ErrorKind::cancelled);
  auto received = queue.receive({.wait_time_seconds = 1});
  ASSERT_FALSE(received);
  EXPECT_EQ(received.error().kind, ErrorKind::cancelled);

  auto future = queue.async_send_batch({{"a", {}}}, asio::use_future);
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  auto f = future.get();
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().kind, ErrorKind::cancelled);

  std::promise<Result<Empty>> cb;
  queue.async_purge([&](Result<Empty> r) { cb.set_value(std::move(r)); });
  auto c = cb.get_future();
  ASSERT_EQ(c.wait_for(5s), std::future_status::ready);
  auto cr = c.get();
  ASSERT_FALSE(cr);
  EXPECT_EQ(cr.error().kind, ErrorKind::cancelled);

  // Validation still runs first and says what is wrong.
  auto invalid = queue.send("x", {.delay_seconds = 901});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().kind, ErrorKind::validation);
}

TEST(QueueLifetime, SyncCallFromAHandlerIsRefused) {
  Client client(fauxqs_config());
  Queue queue = create_queue_object(client, unique_name());
  std::promise<Result<SendMessageResult>> inner;
  queue.async_attributes({}, [&](Result<StringMap>) { inner.set_value(queue.send("nested")); });
  auto r = inner.get_future().get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "WouldDeadlock");
}

}  // namespace
}  // namespace sqs::itest
