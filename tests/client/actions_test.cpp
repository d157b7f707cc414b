// Every SQS action of sqs::Client, sync form, end to end against a real local fauxqs. Actions
// fauxqs does not implement are checked twice: what fauxqs answers (a typed service error), and
// a full round trip against the scripted server with the answer SQS documents.
#include <algorithm>
#include <boost/json.hpp>

#include "integration/itest_support.hpp"

namespace sqs::itest {
namespace {

namespace json = boost::json;

class ClientActions : public ::testing::Test {
 protected:
  Client client{fauxqs_config()};
};

std::string str(const json::value& v) {
  return v.is_string() ? json::value_to<std::string>(v) : json::serialize(v);
}

std::string arn_of(const Client& client, const std::string& url) {
  auto r = client.get_queue_attributes({.queue_url = url, .attribute_names = {"QueueArn"}});
  EXPECT_TRUE(r) << r.error().to_string();
  return r ? r->attributes["QueueArn"] : std::string();
}

// What fauxqs answers for an action it does not implement.
void expect_not_implemented(const Error& e) {
  EXPECT_EQ(e.kind, ErrorKind::service) << e.to_string();
  EXPECT_EQ(e.code, "InvalidAction");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_TRUE(e.sender_fault);
  EXPECT_FALSE(e.retryable);
}

TEST_F(ClientActions, CreateQueueWithAttributesAndTagsThenGetQueueUrl) {
  auto name = unique_name();
  auto created = client.create_queue({.queue_name = name,
                                      .attributes = {{"VisibilityTimeout", "45"},
                                                     {"DelaySeconds", "2"},
                                                     {"MaximumMessageSize", "2048"}},
                                      .tags = {{"team", "core"}, {"env", "test"}}});
  ASSERT_TRUE(created) << created.error().to_string();
  EXPECT_NE(created->queue_url.find("/000000000000/" + name), std::string::npos)
      << created->queue_url;

  auto url = client.get_queue_url({.queue_name = name});
  ASSERT_TRUE(url) << url.error().to_string();
  EXPECT_EQ(url->queue_url, created->queue_url);

  auto attrs = client.get_queue_attributes({.queue_url = created->queue_url});
  ASSERT_TRUE(attrs) << attrs.error().to_string();
  EXPECT_EQ(attrs->attributes["VisibilityTimeout"], "45");
  EXPECT_EQ(attrs->attributes["DelaySeconds"], "2");
  EXPECT_EQ(attrs->attributes["MaximumMessageSize"], "2048");
  EXPECT_NE(attrs->attributes["QueueArn"].find(":" + name), std::string::npos);

  auto tags = client.list_queue_tags({.queue_url = created->queue_url});
  ASSERT_TRUE(tags) << tags.error().to_string();
  EXPECT_EQ(tags->tags, (StringMap{{"team", "core"}, {"env", "test"}}));

  // Creating again with the same attributes is idempotent: the same URL.
  auto again =
      client.create_queue({.queue_name = name, .attributes = {{"VisibilityTimeout", "45"}}});
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->queue_url, created->queue_url);
  // ...and with a conflicting one, an error.
  auto conflict =
      client.create_queue({.queue_name = name, .attributes = {{"VisibilityTimeout", "46"}}});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().kind, ErrorKind::service);
  EXPECT_EQ(conflict.error().code, "QueueNameExists");
}

TEST_F(ClientActions, CreateFifoQueue) {
  auto name = unique_name("f", true);
  auto created = client.create_queue(
      {.queue_name = name,
       .attributes = {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}}});
  ASSERT_TRUE(created) << created.error().to_string();
  auto attrs =
      client.get_queue_attributes({.queue_url = created->queue_url,
                                   .attribute_names = {"FifoQueue", "ContentBasedDeduplication"}});
  ASSERT_TRUE(attrs) << attrs.error().to_string();
  EXPECT_EQ(attrs->attributes["FifoQueue"], "true");
  EXPECT_EQ(attrs->attributes["ContentBasedDeduplication"], "true");
}

TEST_F(ClientActions, DeleteQueue) {
  auto name = unique_name();
  auto url = create_queue(client, name);
  auto deleted = client.delete_queue({.queue_url = url});
  ASSERT_TRUE(deleted) << deleted.error().to_string();
  auto gone = client.get_queue_url({.queue_name = name});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, "QueueDoesNotExist");
  auto twice = client.delete_queue({.queue_url = url});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, "QueueDoesNotExist");
}

TEST_F(ClientActions, ListQueuesWithPrefixAndPaging) {
  auto prefix = unique_name("list");
  std::vector<std::string> urls;
  for (int i = 0; i < 5; ++i)
    urls.push_back(create_queue(client, prefix + "-" + std::to_string(i)));

  auto all = client.list_queues({.queue_name_prefix = prefix});
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_EQ(all->queue_urls.size(), 5u);
  EXPECT_FALSE(all->next_token.has_value());

  // MaxResults 2: three pages chained by NextToken, every queue exactly once.
  std::vector<std::string> seen;
  ListQueuesRequest request{.queue_name_prefix = prefix, .max_results = 2};
  int pages = 0;
  for (;;) {
    auto page = client.list_queues(request);
    ASSERT_TRUE(page) << page.error().to_string();
    ++pages;
    EXPECT_LE(page->queue_urls.size(), 2u);
    seen.insert(seen.end(), page->queue_urls.begin(), page->queue_urls.end());
    if (!page->next_token) break;
    request.next_token = page->next_token;
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  std::sort(seen.begin(), seen.end());
  std::sort(urls.begin(), urls.end());
  EXPECT_EQ(seen, urls);

  auto every = client.list_all_queues(prefix);
  ASSERT_TRUE(every) << every.error().to_string();
  std::sort(every->begin(), every->end());
  EXPECT_EQ(*every, urls);

  auto none = client.list_queues({.queue_name_prefix = prefix + "-nothing"});
  ASSERT_TRUE(none) << none.error().to_string();
  EXPECT_TRUE(none->queue_urls.empty());
}

// list_all_queues follows NextToken through every page (fauxqs would need > 1000 queues).
TEST(ClientActionsScripted, ListAllQueuesFollowsNextToken) {
  test::ScriptedHttpServer server([](const test::ReceivedRequest& r) {
    auto body = json::parse(r.body).as_object();
    if (!body.contains("NextToken")) {
      return sqs_json(R"({"QueueUrls":["https://q/1/a","https://q/1/b"],"NextToken":"page2"})");
    }
    if (body.at("NextToken") == "page2") {
      return sqs_json(R"({"QueueUrls":["https://q/1/c"],"NextToken":"page3"})");
    }
    return sqs_json(R"({"QueueUrls":["https://q/1/d"]})");
  });
  Client client(config_for(server.endpoint()));
  auto all = client.list_all_queues("p");
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_EQ(*all, (std::vector<std::string>{"https://q/1/a", "https://q/1/b", "https://q/1/c",
                                            "https://q/1/d"}));
  auto sent = server.received();
  ASSERT_EQ(sent.size(), 3u);
  for (const auto& r : sent) {
    EXPECT_EQ(target_of(r), "AmazonSQS.ListQueues");
    EXPECT_EQ(json::parse(r.body).at("QueueNamePrefix"), "p");
  }
  EXPECT_EQ(json::parse(sent[2].body).at("NextToken"), "page3");
}

TEST_F(ClientActions, GetAndSetQueueAttributes) {
  auto url = create_queue(client, unique_name());
  auto set = client.set_queue_attributes(
      {.queue_url = url,
       .attributes = {{"VisibilityTimeout", "120"}, {"ReceiveMessageWaitTimeSeconds", "3"}}});
  ASSERT_TRUE(set) << set.error().to_string();

  auto some = client.get_queue_attributes(
      {.queue_url = url,
       .attribute_names = {"VisibilityTimeout", "ReceiveMessageWaitTimeSeconds"}});
  ASSERT_TRUE(some) << some.error().to_string();
  EXPECT_EQ(some->attributes,
            (StringMap{{"VisibilityTimeout", "120"}, {"ReceiveMessageWaitTimeSeconds", "3"}}));

  auto all = client.get_queue_attributes({.queue_url = url});  // empty list: All
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_GT(all->attributes.size(), 5u);
  EXPECT_EQ(all->attributes["ApproximateNumberOfMessages"], "0");

  auto bad = client.set_queue_attributes({.queue_url = url, .attributes = {{"NoSuchThing", "1"}}});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::service);
  EXPECT_EQ(bad.error().code, "InvalidAttributeName");
  EXPECT_EQ(bad.error().http_status, 400);
}

TEST_F(ClientActions, SendReceiveDeleteAndPurge) {
  auto url = create_queue(client, unique_name());
  auto sent =
      client.send_message({.queue_url = url,
                           .message_body = "first",
                           .message_attributes = {{"k", MessageAttributeValue::string("v")}}});
  ASSERT_TRUE(sent) << sent.error().to_string();
  EXPECT_FALSE(sent->message_id.empty());
  EXPECT_EQ(sent->md5_of_message_body, "8b04d5e3775d298e78455efc5ca404d5");  // md5("first")
  EXPECT_TRUE(sent->md5_of_message_attributes.has_value());
  EXPECT_FALSE(sent->sequence_number.has_value());

  auto got = client.receive_message({.queue_url = url,
                                     .message_system_attribute_names = {"All"},
                                     .message_attribute_names = {"All"},
                                     .max_number_of_messages = 10,
                                     .wait_time_seconds = 1});
  ASSERT_TRUE(got) << got.error().to_string();
  ASSERT_EQ(got->messages.size(), 1u);
  const auto& m = got->messages[0];
  EXPECT_EQ(m.message_id, sent->message_id);
  EXPECT_EQ(m.body, "first");
  EXPECT_EQ(m.md5_of_body, sent->md5_of_message_body);
  EXPECT_EQ(m.message_attributes.at("k"), MessageAttributeValue::string("v"));
  EXPECT_EQ(m.attributes.at("ApproximateReceiveCount"), "1");
  EXPECT_FALSE(m.receipt_handle.empty());

  auto deleted = client.delete_message({.queue_url = url, .receipt_handle = m.receipt_handle});
  ASSERT_TRUE(deleted) << deleted.error().to_string();

  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send_message({.queue_url = url, .message_body = "p" + std::to_string(i)}));
  }
  auto purged = client.purge_queue({.queue_url = url});
  ASSERT_TRUE(purged) << purged.error().to_string();
  auto empty = client.receive_message({.queue_url = url, .max_number_of_messages = 10});
  ASSERT_TRUE(empty) << empty.error().to_string();
  EXPECT_TRUE(empty->messages.empty());
}

TEST_F(ClientActions, SendMessageBatchAndDeleteMessageBatch) {
  auto url = create_queue(client, unique_name());
  SendMessageBatchRequest batch{.queue_url = url};
  for (int i = 0; i < 10; ++i) {
    batch.entries.push_back(
        {.id = "m" + std::to_string(i), .message_body = "body " + std::to_string(i)});
  }
  auto sent = client.send_message_batch(batch);
  ASSERT_TRUE(sent) << sent.error().to_string();
  EXPECT_EQ(sent->successful.size(), 10u);
  EXPECT_TRUE(sent->failed.empty());
  for (const auto& s : sent->successful) EXPECT_FALSE(s.message_id.empty()) << s.id;

  std::vector<Message> received;
  for (int round = 0; round < 10 && received.size() < 10; ++round) {
    auto got = client.receive_message(
        {.queue_url = url, .max_number_of_messages = 10, .wait_time_seconds = 1});
    ASSERT_TRUE(got) << got.error().to_string();
    received.insert(received.end(), got->messages.begin(), got->messages.end());
  }
  ASSERT_EQ(received.size(), 10u);

  DeleteMessageBatchRequest del{.queue_url = url};
  for (std::size_t i = 0; i < received.size(); ++i) {
    del.entries.push_back(
        {.id = "d" + std::to_string(i), .receipt_handle = received[i].receipt_handle});
  }
  auto deleted = client.delete_message_batch(del);
  ASSERT_TRUE(deleted) << deleted.error().to_string();
  EXPECT_EQ(deleted->successful.size(), 10u);
  EXPECT_TRUE(deleted->failed.empty());
  auto attrs =
      client.get_queue_attributes({.queue_url = url,
                                   .attribute_names = {"ApproximateNumberOfMessages",
                                                       "ApproximateNumberOfMessagesNotVisible"}});
  ASSERT_TRUE(attrs);
  EXPECT_EQ(attrs->attributes["ApproximateNumberOfMessages"], "0");
  EXPECT_EQ(attrs->attributes["ApproximateNumberOfMessagesNotVisible"], "0");
}

TEST_F(ClientActions, ChangeMessageVisibilityAndBatch) {
  auto url = create_queue(client, unique_name());
  ASSERT_TRUE(client.send_message({.queue_url = url, .message_body = "a"}));
  ASSERT_TRUE(client.send_message({.queue_url = url, .message_body = "b"}));
  std::vector<Message> got;
  for (int round = 0; round < 5 && got.size() < 2; ++round) {
    auto r = client.receive_message({.queue_url = url,
                                     .max_number_of_messages = 10,
                                     .visibility_timeout = 600,
                                     .wait_time_seconds = 1});
    ASSERT_TRUE(r) << r.error().to_string();
    got.insert(got.end(), r->messages.begin(), r->messages.end());
  }
  ASSERT_EQ(got.size(), 2u);

  // Visibility 0: the first is visible again at once.
  auto changed = client.change_message_visibility(
      {.queue_url = url, .receipt_handle = got[0].receipt_handle, .visibility_timeout = 0});
  ASSERT_TRUE(changed) << changed.error().to_string();
  auto again = client.receive_message({.queue_url = url, .max_number_of_messages = 10});
  ASSERT_TRUE(again) << again.error().to_string();
  ASSERT_EQ(again->messages.size(), 1u);
  EXPECT_EQ(again->messages[0].message_id, got[0].message_id);

  // Batch: the second one made visible; an unknown receipt handle fails by entry.
  auto batch = client.change_message_visibility_batch(
      {.queue_url = url,
       .entries = {{.id = "ok", .receipt_handle = got[1].receipt_handle, .visibility_timeout = 0},
                   {.id = "bad", .receipt_handle = "not-a-receipt", .visibility_timeout = 0}}});
  ASSERT_TRUE(batch) << batch.error().to_string();
  EXPECT_EQ(batch->successful, (std::vector<std::string>{"ok"}));
  ASSERT_EQ(batch->failed.size(), 1u);
  EXPECT_EQ(batch->failed[0].id, "bad");
  EXPECT_EQ(batch->failed[0].code, "ReceiptHandleIsInvalid");
  EXPECT_TRUE(batch->failed[0].sender_fault);
  auto third = client.receive_message({.queue_url = url, .max_number_of_messages = 10});
  ASSERT_TRUE(third);
  ASSERT_EQ(third->messages.size(), 1u);
  EXPECT_EQ(third->messages[0].message_id, got[1].message_id);
}

TEST_F(ClientActions, TagUntagListQueueTags) {
  auto url = create_queue(client, unique_name());
  ASSERT_TRUE(client.tag_queue({.queue_url = url, .tags = {{"a", "1"}, {"b", "2"}, {"c", "3"}}}));
  auto tags = client.list_queue_tags({.queue_url = url});
  ASSERT_TRUE(tags) << tags.error().to_string();
  EXPECT_EQ(tags->tags, (StringMap{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  ASSERT_TRUE(client.untag_queue({.queue_url = url, .tag_keys = {"a", "c"}}));
  tags = client.list_queue_tags({.queue_url = url});
  ASSERT_TRUE(tags) << tags.error().to_string();
  EXPECT_EQ(tags->tags, (StringMap{{"b", "2"}}));
}

// A RedrivePolicy makes a dead-letter queue: messages received maxReceiveCount times move there.
TEST_F(ClientActions, RedrivePolicyMovesMessagesToTheDeadLetterQueue) {
  auto dlq = create_queue(client, unique_name("dlq"));
  auto dlq_arn = arn_of(client, dlq);
  ASSERT_FALSE(dlq_arn.empty());
  auto src = create_queue(client, unique_name("src"));
  auto policy = R"({"deadLetterTargetArn":")" + dlq_arn + R"(","maxReceiveCount":"1"})";
  ASSERT_TRUE(
      client.set_queue_attributes({.queue_url = src, .attributes = {{"RedrivePolicy", policy}}}));
  auto attrs =
      client.get_queue_attributes({.queue_url = src, .attribute_names = {"RedrivePolicy"}});
  ASSERT_TRUE(attrs);
  EXPECT_EQ(str(json::parse(attrs->attributes["RedrivePolicy"]).at("deadLetterTargetArn")),
            dlq_arn);

  ASSERT_TRUE(client.send_message({.queue_url = src, .message_body = "doomed"}));
  auto first =
      client.receive_message({.queue_url = src, .visibility_timeout = 0, .wait_time_seconds = 1});
  ASSERT_TRUE(first) << first.error().to_string();
  ASSERT_EQ(first->messages.size(), 1u);
  // Second receive: over maxReceiveCount, the message goes to the DLQ instead.
  auto second = client.receive_message({.queue_url = src});
  ASSERT_TRUE(second);
  EXPECT_TRUE(second->messages.empty());
  auto dead = client.receive_message({.queue_url = dlq, .wait_time_seconds = 1});
  ASSERT_TRUE(dead) << dead.error().to_string();
  ASSERT_EQ(dead->messages.size(), 1u);
  EXPECT_EQ(dead->messages[0].body, "doomed");
}

// ---- actions fauxqs does not implement: its answer, then a scripted round trip --------------

TEST_F(ClientActions, ListDeadLetterSourceQueuesIsNotImplementedByFauxqs) {
  auto url = create_queue(client, unique_name());
  auto r = client.list_dead_letter_source_queues({.queue_url = url});
  ASSERT_FALSE(r);
  expect_not_implemented(r.error());
}

TEST_F(ClientActions, MessageMoveTasksAreNotImplementedByFauxqs) {
  auto url = create_queue(client, unique_name());
  auto arn = arn_of(client, url);
  auto start = client.start_message_move_task({.source_arn = arn});
  ASSERT_FALSE(start);
  expect_not_implemented(start.error());
  auto list = client.list_message_move_tasks({.source_arn = arn});
  ASSERT_FALSE(list);
  expect_not_implemented(list.error());
  auto cancel = client.cancel_message_move_task({.task_handle = "handle"});
  ASSERT_FALSE(cancel);
  expect_not_implemented(cancel.error());
}

TEST_F(ClientActions, PermissionsAreNotImplementedByFauxqs) {
  auto url = create_queue(client, unique_name());
  auto add = client.add_permission({.queue_url = url,
                                    .label = "l1",
                                    .aws_account_ids = {"111122223333"},
                                    .actions = {"SendMessage"}});
  ASSERT_FALSE(add);
  expect_not_implemented(add.error());
  auto remove = client.remove_permission({.queue_url = url, .label = "l1"});
  ASSERT_FALSE(remove);
  expect_not_implemented(remove.error());
}

class ClientActionsScriptedTest : public ::testing::Test {
 protected:
  // Answers each action with the canned body of `answers` (by X-Amz-Target).
  std::map<std::string, std::string> answers;
  std::unique_ptr<test::ScriptedHttpServer> server;
  std::unique_ptr<Client> client;
  void start() {
    server =
        std::make_unique<test::ScriptedHttpServer>([a = answers](const test::ReceivedRequest& r) {
          auto it = a.find(target_of(r));
          if (it == a.end()) return sqs_error(400, "InvalidAction", "", "unexpected");
          return sqs_json(it->second);
        });
    client = std::make_unique<Client>(config_for(server->endpoint()));
  }
  json::object request_body(std::size_t i) {
    return json::parse(server->received().at(i).body).as_object();
  }
};

TEST_F(ClientActionsScriptedTest, ListDeadLetterSourceQueues) {
  answers["AmazonSQS.ListDeadLetterSourceQueues"] =
      R"({"queueUrls":["https://sqs.us-east-1.amazonaws.com/1/src"],"NextToken":"n2"})";
  start();
  auto r = client->list_dead_letter_source_queues(
      {.queue_url = "https://sqs.us-east-1.amazonaws.com/1/dlq", .max_results = 5});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->queue_urls, (std::vector<std::string>{"https://sqs.us-east-1.amazonaws.com/1/src"}));
  EXPECT_EQ(r->next_token, "n2");
  auto body = request_body(0);
  EXPECT_EQ(body.at("QueueUrl"), "https://sqs.us-east-1.amazonaws.com/1/dlq");
  EXPECT_EQ(body.at("MaxResults"), 5);
}

TEST_F(ClientActionsScriptedTest, MessageMoveTasks) {
  answers["AmazonSQS.StartMessageMoveTask"] = R"({"TaskHandle":"th-1"})";
  answers["AmazonSQS.CancelMessageMoveTask"] = R"({"ApproximateNumberOfMessagesMoved":42})";
  answers["AmazonSQS.ListMessageMoveTasks"] =
      R"({"Results":[{"TaskHandle":"th-1","Status":"RUNNING",
      "SourceArn":"arn:aws:sqs:us-east-1:1:dlq","DestinationArn":"arn:aws:sqs:us-east-1:1:src",
      "MaxNumberOfMessagesPerSecond":10,"ApproximateNumberOfMessagesMoved":3,
      "ApproximateNumberOfMessagesToMove":7,"StartedTimestamp":1700000000000},
      {"Status":"FAILED","SourceArn":"arn:aws:sqs:us-east-1:1:dlq","FailureReason":"AccessDenied",
      "ApproximateNumberOfMessagesMoved":0,"StartedTimestamp":1600000000000}]})";
  start();
  auto started = client->start_message_move_task({.source_arn = "arn:aws:sqs:us-east-1:1:dlq",
                                                  .destination_arn = "arn:aws:sqs:us-east-1:1:src",
                                                  .max_number_of_messages_per_second = 10});
  ASSERT_TRUE(started) << started.error().to_string();
  EXPECT_EQ(started->task_handle, "th-1");
  auto body = request_body(0);
  EXPECT_EQ(body.at("SourceArn"), "arn:aws:sqs:us-east-1:1:dlq");
  EXPECT_EQ(body.at("DestinationArn"), "arn:aws:sqs:us-east-1:1:src");
  EXPECT_EQ(body.at("MaxNumberOfMessagesPerSecond"), 10);

  auto listed = client->list_message_move_tasks(
      {.source_arn = "arn:aws:sqs:us-east-1:1:dlq", .max_results = 2});
  ASSERT_TRUE(listed) << listed.error().to_string();
  ASSERT_EQ(listed->results.size(), 2u);
  const auto& running = listed->results[0];
  EXPECT_EQ(running.task_handle, "th-1");
  EXPECT_EQ(running.status, "RUNNING");
  EXPECT_EQ(running.destination_arn, "arn:aws:sqs:us-east-1:1:src");
  EXPECT_EQ(running.max_number_of_messages_per_second, 10);
  EXPECT_EQ(running.approximate_number_of_messages_moved, 3);
  EXPECT_EQ(running.approximate_number_of_messages_to_move, 7);
  EXPECT_EQ(running.started_timestamp, 1700000000000);
  const auto& failed = listed->results[1];
  EXPECT_FALSE(failed.task_handle.has_value());
  EXPECT_EQ(failed.status, "FAILED");
  EXPECT_EQ(failed.failure_reason, "AccessDenied");

  auto cancelled = client->cancel_message_move_task({.task_handle = "th-1"});
  ASSERT_TRUE(cancelled) << cancelled.error().to_string();
  EXPECT_EQ(cancelled->approximate_number_of_messages_moved, 42);
  EXPECT_EQ(request_body(2).at("TaskHandle"), "th-1");
}

TEST_F(ClientActionsScriptedTest, ListAllQueuesStopsOnARepeatedNextToken) {
  // A broken server that always answers the same page and token: an error, not an endless loop.
  answers["AmazonSQS.ListQueues"] =
      R"({"QueueUrls":["https://sqs.us-east-1.amazonaws.com/1/a"],"NextToken":"same"})";
  start();
  auto all = client->list_all_queues();
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, "RepeatedNextToken");
  EXPECT_EQ(server->received().size(), 2u);
}

TEST_F(ClientActionsScriptedTest, AddAndRemovePermission) {
  answers["AmazonSQS.AddPermission"] = "{}";
  answers["AmazonSQS.RemovePermission"] = "{}";
  start();
  auto url = std::string("https://sqs.us-east-1.amazonaws.com/1/q");
  auto added = client->add_permission({.queue_url = url,
                                       .label = "share",
                                       .aws_account_ids = {"111122223333", "444455556666"},
                                       .actions = {"SendMessage", "ReceiveMessage"}});
  ASSERT_TRUE(added) << added.error().to_string();
  auto body = request_body(0);
  EXPECT_EQ(body.at("Label"), "share");
  EXPECT_EQ(body.at("AWSAccountIds"), json::parse(R"(["111122223333","444455556666"])"));
  EXPECT_EQ(body.at("Actions"), json::parse(R"(["SendMessage","ReceiveMessage"])"));
  auto removed = client->remove_permission({.queue_url = url, .label = "share"});
  ASSERT_TRUE(removed) << removed.error().to_string();
  EXPECT_EQ(request_body(1).at("Label"), "share");
  EXPECT_EQ(target_of(server->received()[1]), "AmazonSQS.RemovePermission");
}

// The generic form: any request type through call() / async_call().
TEST_F(ClientActions, GenericCallForm) {
  auto name = unique_name();
  auto created = client.call(CreateQueueRequest{.queue_name = name});
  ASSERT_TRUE(created) << created.error().to_string();
  auto url = client.call(GetQueueUrlRequest{.queue_name = name});
  ASSERT_TRUE(url) << url.error().to_string();
  EXPECT_EQ(url->queue_url, created->queue_url);
}

// Every request goes to the configured endpoint whatever host the queue URL names.
TEST(ClientActionsRouting, RequestsGoToTheEndpointNotTheQueueUrlHost) {
  test::ScriptedHttpServer server([](const test::ReceivedRequest&) { return sqs_json("{}"); });
  Client client(config_for(server.endpoint()));
  auto r = client.purge_queue({.queue_url = "https://sqs.eu-west-1.amazonaws.com/123/elsewhere"});
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(server.requests_received(), 1u);
  auto req = server.received()[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/");
  EXPECT_EQ(req.header("Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(target_of(req), "AmazonSQS.PurgeQueue");
  EXPECT_EQ(req.header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_NE(req.header("Authorization").find("/us-east-1/sqs/aws4_request"), std::string::npos)
      << req.header("Authorization");
  EXPECT_FALSE(req.header("X-Amz-Date").empty());
  EXPECT_EQ(json::parse(req.body).at("QueueUrl"),
            "https://sqs.eu-west-1.amazonaws.com/123/elsewhere");
}

}  // namespace
}  // namespace sqs::itest
