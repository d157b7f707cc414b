// sqsctl bench end to end, over two real local SQS servers playing two regions: every message
// delivered, weights honoured, send latencies and the per-second timeline in the report,
// failover while a region is frozen (timeouts) or killed (connections refused) and comes back,
// hedged sends around a frozen region, failures, latency and hangs injected through the control
// endpoint, a receive-only drain, and bad options refused before anything is sent.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cmath>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <thread>

#include "sqsctl/sqsctl_fixture.hpp"
#include "support/fauxqs_server.hpp"

namespace sqsctl_test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using sqs::test::FauxqsServer;

// A free loopback port (bound then released: the bench binds it a moment later).
std::uint16_t free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// A blocking HTTP/1.0 GET to the bench's control endpoint; nullopt when nothing listens (yet).
std::optional<HttpAnswer> http_get(std::uint16_t port, const std::string& target) {
  using boost::asio::ip::tcp;
  boost::asio::io_context io;
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return std::nullopt;
  std::string request = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  boost::asio::write(socket, boost::asio::buffer(request), ec);
  if (ec) return std::nullopt;
  std::string response;
  boost::asio::read(socket, boost::asio::dynamic_buffer(response), ec);  // until the server closes
  auto space = response.find(' ');
  auto body = response.find("\r\n\r\n");
  if (space == std::string::npos || body == std::string::npos) return std::nullopt;
  return HttpAnswer{std::stoi(response.substr(space + 1, 3)), response.substr(body + 4)};
}

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

std::uint64_t number(const json::value& v) {
  return v.to_number<std::uint64_t>();
}

// "from->to" of every transition of a queue's report.
std::vector<std::string> transitions(const json::object& queue) {
  std::vector<std::string> out;
  for (const auto& t : queue.at("transitions").as_array()) {
    out.push_back(str(t.at("from")) + "->" + str(t.at("to")));
  }
  return out;
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

double real(const json::value& v) {
  return v.to_number<double>();
}

// A send_latency_ms object: {p50, p99, max, mean}, in order.
void expect_sane_latency(const json::value& v, const std::string& what) {
  const auto& l = v.as_object();
  double p50 = real(l.at("p50")), p99 = real(l.at("p99")), max = real(l.at("max")),
         mean = real(l.at("mean"));
  EXPECT_GT(p50, 0) << what << ": " << v;
  EXPECT_LE(p50, p99) << what << ": " << v;
  EXPECT_LE(p99, max) << what << ": " << v;
  EXPECT_GT(mean, 0) << what << ": " << v;
  EXPECT_LE(mean, max) << what << ": " << v;
}

// Sends per queue in the report's timeline over the seconds [from, to).
std::vector<std::uint64_t> timeline_sent(const json::object& s, double from, double to) {
  std::vector<std::uint64_t> out(s.at("queues").as_array().size(), 0);
  for (const auto& e : s.at("timeline").as_array()) {
    double t = real(e.at("t"));
    if (t < from || t >= to) continue;
    const auto& sent = e.at("sent").as_array();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] += number(sent.at(i));
  }
  return out;
}

class Bench : public SqsctlTest {
 protected:
  // Two regions for the whole suite (in memory: quick and steady; the test that kills a region
  // starts a server that persists to disk of its own).
  static void SetUpTestSuite() {
    region1_ = std::make_unique<FauxqsServer>(FauxqsServer::Options{"us-east-1", "", 0});
    region2_ = std::make_unique<FauxqsServer>(FauxqsServer::Options{"eu-west-1", "", 0});
  }
  static void TearDownTestSuite() {
    region1_.reset();
    region2_.reset();
  }

  void SetUp() override {
    SqsctlTest::SetUp();
    // A test that failed half-way may have left a region frozen.
    region1_->thaw();
    region2_->thaw();
    name_ = unique_name();
    url1_ = create_in(*region1_);
    url2_ = create_in(*region2_);
  }

  std::string create_in(const FauxqsServer& server) {
    auto r = sqsctl_raw(
        {"--endpoint", server.endpoint(), "--region", server.region(), "create-queue", name_});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    return r.lines().empty() ? std::string() : r.lines().front();
  }

  static std::string spec(const FauxqsServer& server, const std::string& queue,
                          const std::string& extra = "") {
    return queue + ",endpoint=" + server.endpoint() + ",region=" + server.region() + extra;
  }

  // bench --queue (region 1) --queue (region 2) ARGS...
  std::vector<std::string> bench_args(const std::vector<std::string>& args,
                                      const std::vector<std::string>& global = {},
                                      const FauxqsServer* first = nullptr) {
    std::vector<std::string> full = global;
    full.insert(full.end(), {"bench", "--queue", spec(first ? *first : *region1_, name_), "--queue",
                             spec(*region2_, name_)});
    full.insert(full.end(), args.begin(), args.end());
    return full;
  }

  std::future<ProcessResult> bench_async(const std::vector<std::string>& args,
                                         const std::vector<std::string>& extra_env = {}) {
    return std::async(std::launch::async,
                      [this, args, extra_env] { return sqsctl_raw(args, "", extra_env); });
  }

  // The bench's status from its control endpoint (an empty object until it answers).
  json::object status(std::uint16_t port) {
    auto answer = http_get(port, "/");
    if (!answer || answer->status != 200) return {};
    return json_object(answer->body);
  }

  // The bench's count of messages sent so far (0 until it answers).
  std::uint64_t sent(std::uint16_t port) {
    auto st = status(port);
    return st.contains("sent") ? number(st.at("sent")) : 0;
  }
  // The breaker state of queue `index` ("" until the bench answers).
  std::string state(std::uint16_t port, std::size_t index) {
    auto st = status(port);
    return st.contains("queues") ? str(st.at("queues").at(index).at("state")) : "";
  }

  // The summary: the last line of stdout, which must be the only one.
  json::object summary(const ProcessResult& r) {
    auto lines = r.lines();
    EXPECT_EQ(lines.size(), 1u) << describe(r);
    return lines.empty() ? json::object() : json_object(lines.back());
  }

  int messages_in(const FauxqsServer& server, const std::string& url) {
    auto r =
        sqsctl_raw({"--endpoint", server.endpoint(), "--region", server.region(), "get-attributes",
                    url, "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
    auto lines = json_lines(r);
    if (lines.size() != 1) return -1;
    int total = 0;
    for (const auto& [key, value] : lines.front()) total += std::stoi(str(value));
    return total;
  }

  void expect_nothing_lost(const json::object& s, std::uint64_t count) {
    EXPECT_EQ(number(s.at("sent")), count);
    EXPECT_EQ(number(s.at("send_errors")), 0u);
    EXPECT_EQ(number(s.at("unique")), count);
    EXPECT_EQ(number(s.at("lost")), 0u);
    EXPECT_EQ(number(s.at("duplicates")), number(s.at("received")) - number(s.at("unique")));
  }

  static std::unique_ptr<FauxqsServer> region1_;
  static std::unique_ptr<FauxqsServer> region2_;
  std::string name_, url1_, url2_;
};
std::unique_ptr<FauxqsServer> Bench::region1_;
std::unique_ptr<FauxqsServer> Bench::region2_;

TEST_F(Bench, DeliversEveryMessageOverTwoRegions) {
  auto r =
      sqsctl_raw(bench_args({"--count", "400", "--concurrency", "8", "--message-bytes", "64"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 400);
  EXPECT_GT(s.at("elapsed_s").to_number<double>(), 0);
  EXPECT_GT(s.at("send_msgs_per_s").to_number<double>(), 0);
  const auto& queues = s.at("queues").as_array();
  ASSERT_EQ(queues.size(), 2u);
  std::uint64_t sent = 0, received = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& q = queues[i].as_object();
    EXPECT_EQ(str(q.at("queue")), i == 0 ? url1_ : url2_);
    EXPECT_EQ(str(q.at("state")), "closed");
    EXPECT_TRUE(q.at("transitions").as_array().empty()) << s;
    // Round-robin over equal weights; the dispatcher steers a few sends away from a queue whose
    // calls stall for a moment (a loaded machine), so not always exactly half.
    EXPECT_NEAR(static_cast<double>(number(q.at("sent"))), 200.0, 20.0)
        << "round-robin over equal weights: " << s;
    sent += number(q.at("sent"));
    received += number(q.at("received"));
  }
  EXPECT_EQ(sent, 400u);
  EXPECT_EQ(received, number(s.at("received")));
  // Everything received was deleted.
  EXPECT_EQ(messages_in(*region1_, url1_), 0);
  EXPECT_EQ(messages_in(*region2_, url2_), 0);
}

// --producer: every message is one send to sqs::Producer, which batches them over both regions.
TEST_F(Bench, ProducerDeliversEveryMessageInBatches) {
  auto r = sqsctl_raw(bench_args({"--count", "500", "--concurrency", "50", "--producer"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 500);
  ASSERT_TRUE(s.contains("producer")) << s;
  const auto& p = s.at("producer").as_object();
  EXPECT_GT(p.at("average_fill").to_number<double>(), 3.0) << s;
  EXPECT_LT(number(p.at("batches")), 500u) << "not batched: " << s;
  const auto& queues = s.at("queues").as_array();
  for (const auto& q : queues) EXPECT_GT(number(q.as_object().at("sent")), 0u) << s;
}

TEST_F(Bench, WeightsSteerTheSends) {
  auto r = sqsctl_raw({"bench", "--queue", spec(*region1_, name_, ",weight=3"), "--queue",
                       spec(*region2_, name_), "--count", "200", "--concurrency", "4"});
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 200);
  const auto& queues = s.at("queues").as_array();
  EXPECT_EQ(number(queues.at(0).at("sent")), 150u) << s;
  EXPECT_EQ(number(queues.at(1).at("sent")), 50u) << s;
  EXPECT_EQ(number(queues.at(0).at("weight")), 3u);
}

TEST_F(Bench, ReportsSendLatencyAndATimelineThatAddsUp) {
  auto r = sqsctl_raw(bench_args({"--count", "400", "--rate", "250", "--concurrency", "8"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 400);
  expect_sane_latency(s.at("send_latency_ms"), "overall");
  double overall_max = real(s.at("send_latency_ms").at("max"));
  const auto& queues = s.at("queues").as_array();
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& q = queues[i].as_object();
    expect_sane_latency(q.at("send_latency_ms"), "queue " + std::to_string(i));
    EXPECT_LE(real(q.at("send_latency_ms").at("max")), overall_max);
    for (const char* key : {"hedges", "hedge_wins", "late_copies"}) {
      EXPECT_EQ(number(q.at(key)), 0u) << key << " without --hedge: " << s;
    }
    EXPECT_TRUE(q.contains("slow_in_flight") && q.contains("bulkhead_rejected") &&
                q.contains("avoided"))
        << s;
  }
  EXPECT_EQ(str(s.at("load")),
            "bulkhead=adaptive,max-in-flight=none,slow-call-threshold=auto,hedge=off");

  // One entry per second (1.6 s at 250/s: at least two), whose counts add up to the totals.
  const auto& timeline = s.at("timeline").as_array();
  ASSERT_GE(timeline.size(), 2u) << s;
  EXPECT_GE(static_cast<double>(timeline.size()), real(s.at("elapsed_s"))) << s;
  std::vector<std::uint64_t> sent(2, 0), received(2, 0);
  std::uint64_t started = 0;
  for (std::size_t t = 0; t < timeline.size(); ++t) {
    const auto& e = timeline[t].as_object();
    EXPECT_EQ(number(e.at("t")), t);
    ASSERT_EQ(e.at("sent").as_array().size(), 2u);
    ASSERT_EQ(e.at("received").as_array().size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      sent[i] += number(e.at("sent").at(i));
      received[i] += number(e.at("received").at(i));
    }
    started += number(e.at("started"));
    if (number(e.at("started")) > 0) {
      double p50 = real(e.at("send_p50_ms")), p99 = real(e.at("send_p99_ms")),
             max = real(e.at("send_max_ms"));
      EXPECT_LE(p50, p99) << e;
      EXPECT_LE(p99, max) << e;
      EXPECT_LE(max, overall_max) << e;
    } else {
      EXPECT_FALSE(e.contains("send_p99_ms")) << e;
    }
  }
  EXPECT_EQ(started, 400u) << s;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(sent[i], number(queues[i].at("sent"))) << s;
    EXPECT_EQ(received[i], number(queues[i].at("received"))) << s;
  }
  // Paced at 250/s: about 250 sends in each whole second.
  EXPECT_GE(sent[0] + sent[1], 400u);
  EXPECT_LE(number(timeline[0].at("started")), 260u) << s;
}

TEST_F(Bench, HedgeAndBulkheadOptionsReachTheDispatcher) {
  auto r = sqsctl_raw(bench_args({"--count", "60", "--hedge", "100ms", "--max-in-flight", "32",
                                  "--slow-call-threshold", "2s"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 60);
  EXPECT_EQ(str(s.at("load")),
            "bulkhead=adaptive,max-in-flight=32,slow-call-threshold=2s,hedge=100ms");
  EXPECT_NE(r.err.find("hedge=100ms"), std::string::npos) << r.err;

  r = sqsctl_raw(bench_args(
      {"--count", "60", "--hedge", "p95", "--no-adaptive-bulkhead", "--slow-call-threshold", "0"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  s = summary(r);
  expect_nothing_lost(s, 60);
  EXPECT_EQ(str(s.at("load")),
            "bulkhead=fixed,max-in-flight=none,slow-call-threshold=off,hedge=p95");
}

// Sent at a steady pace (--rate), so that the run lasts as long on a busy machine as on an idle
// one: every step below happens while it is sending.
TEST_F(Bench, FailsOverWhileARegionIsFrozenAndCatchesUpWhenItThaws) {
  auto port = free_port();
  // Frozen: the kernel accepts connections, nobody answers: each call ends in a 1 s timeout.
  auto run = bench_async(
      bench_args({"--count", "1200", "--rate", "200", "--concurrency", "16", "--visibility-timeout",
                  "2", "--breaker", "trip=consecutive:2,open-timeout=500ms", "--control",
                  "127.0.0.1:" + std::to_string(port)},
                 {"--timeout", "1"}),
      {"AWS_MAX_ATTEMPTS=1"});
  ASSERT_TRUE(eventually([&] { return sent(port) >= 200; }, 10s));
  region1_->freeze();
  bool opened = eventually([&] { return state(port, 0) == "open"; }, 10s);
  // While region 1 is out, region 2 takes the traffic.
  std::uint64_t sent_at_open = sent(port);
  bool moved_on = eventually([&] { return sent(port) >= sent_at_open + 200; }, 10s);
  region1_->thaw();
  auto r = run.get();
  EXPECT_TRUE(opened);
  EXPECT_TRUE(moved_on);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 1200);
  auto t = transitions(s.at("queues").at(0).as_object());
  ASSERT_FALSE(t.empty()) << s;
  EXPECT_EQ(t.front(), "closed->open") << s;
  EXPECT_TRUE(contains(t, "half-open->closed")) << s;
  EXPECT_TRUE(transitions(s.at("queues").at(1).as_object()).empty()) << s;
}

TEST_F(Bench, FailsOverWhileARegionIsKilledAndRecoversWhenItRestarts) {
  // Region 1 persists to disk: killed and restarted, it still has the messages it took.
  FauxqsServer durable(
      FauxqsServer::Options{"us-east-1", sqs::test::make_temp_dir("bench-durable"), 0});
  ASSERT_FALSE(create_in(durable).empty());
  auto port = free_port();
  auto run = bench_async(
      bench_args({"--count", "1200", "--rate", "200", "--concurrency", "16", "--visibility-timeout",
                  "2", "--breaker", "trip=consecutive:3,open-timeout=500ms", "--control",
                  "127.0.0.1:" + std::to_string(port)},
                 {}, &durable));
  ASSERT_TRUE(eventually([&] { return sent(port) >= 200; }, 10s));
  // Connections refused from now on. Receives it had answered but not yet delivered leave their
  // messages invisible for --visibility-timeout: 2 s, so as not to wait long for them after.
  durable.kill();
  bool opened = eventually([&] { return state(port, 0) == "open"; }, 10s);
  std::uint64_t sent_at_open = sent(port);
  bool moved_on = eventually([&] { return sent(port) >= sent_at_open + 200; }, 10s);
  durable.restart();  // same port, same data
  auto r = run.get();
  EXPECT_TRUE(opened);
  EXPECT_TRUE(moved_on);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 1200);
  auto t = transitions(s.at("queues").at(0).as_object());
  ASSERT_FALSE(t.empty()) << s;
  EXPECT_EQ(t.front(), "closed->open") << s;
  EXPECT_TRUE(contains(t, "open->half-open")) << s;
  EXPECT_TRUE(contains(t, "half-open->closed")) << s;
  EXPECT_EQ(str(s.at("queues").at(0).at("state")), "closed") << s;
  EXPECT_GT(number(s.at("queues").at(1).at("sent")), number(s.at("queues").at(0).at("sent")));
}

TEST_F(Bench, InjectedFailuresOpenTheBreakerUntilTheyStop) {
  auto port = free_port();
  auto run = bench_async(bench_args({"--count", "1500", "--rate", "250", "--concurrency", "8",
                                     "--breaker", "trip=consecutive:3,open-timeout=300ms",
                                     "--control", "127.0.0.1:" + std::to_string(port)}));
  ASSERT_TRUE(eventually([&] { return sent(port) >= 100; }, 10s));

  // Wrong requests are refused, and change nothing.
  for (const char* target :
       {"/?index=2&duration=1s&error_rate=0.5", "/?index=0", "/?index=0&duration=soon&error_rate=1",
        "/?index=0&duration=1s&error_rate=1.5", "/?bogus=1", "/?index=0&duration=1s",
        "/?index=0&duration=1s&latency=fast", "/?index=0&duration=1s&latency=-5ms",
        "/?index=0&duration=1s&hang=maybe", "/?duration=1s&hang=1"}) {
    auto answer = http_get(port, target);
    ASSERT_TRUE(answer) << target;
    EXPECT_EQ(answer->status, 400) << target << ": " << answer->body;
    EXPECT_TRUE(json_object(answer->body).contains("error")) << answer->body;
    EXPECT_NE(answer->body.find("latency=L"), std::string::npos) << "says how: " << answer->body;
  }

  auto answer = http_get(port, "/?index=0&duration=1500ms&error_rate=1");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  auto scenario = json_object(answer->body);
  const auto& q0 = scenario.at("queues").at(0).as_object();
  EXPECT_EQ(q0.at("error_rate").to_number<double>(), 1.0) << answer->body;
  EXPECT_GT(q0.at("remaining_s").to_number<double>(), 1.0) << answer->body;
  EXPECT_EQ(scenario.at("queues").at(1).at("error_rate").to_number<double>(), 0.0);

  bool opened = eventually([&] { return state(port, 0) == "open"; }, 10s);
  // After the injection: half-open, the probes succeed, closed again (while the run goes on).
  bool closed_again = eventually(
      [&] {
        auto st = status(port);
        return !st.empty() && str(st.at("queues").at(0).at("state")) == "closed" &&
               st.at("queues").at(0).at("error_rate").to_number<double>() == 0;
      },
      10s);
  auto r = run.get();
  EXPECT_TRUE(opened);
  EXPECT_TRUE(closed_again);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 1500);
  auto t = transitions(s.at("queues").at(0).as_object());
  ASSERT_FALSE(t.empty()) << s;
  EXPECT_EQ(t.front(), "closed->open") << s;
  EXPECT_TRUE(contains(t, "half-open->closed")) << s;
  EXPECT_NE(r.err.find("control: queue 0 fails at rate 1"), std::string::npos) << r.err;
}

// A frozen region holds the sends on their way to it; hedged, each of them is sent again to the
// other region after 50 ms, which answers: no send waits for the thaw.
TEST_F(Bench, HedgedSendsGoAroundAFrozenRegion) {
  auto port = free_port();
  auto run = bench_async(
      bench_args({"--count", "600", "--rate", "200", "--concurrency", "64", "--hedge", "50ms",
                  "--visibility-timeout", "2", "--control", "127.0.0.1:" + std::to_string(port)}));
  ASSERT_TRUE(eventually([&] { return sent(port) >= 200; }, 10s));
  region1_->freeze();
  std::this_thread::sleep_for(1500ms);
  region1_->thaw();
  auto r = run.get();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 600);
  const auto& q0 = s.at("queues").at(0).as_object();
  const auto& q1 = s.at("queues").at(1).as_object();
  // The copies went to region 2, and won.
  EXPECT_GE(number(q1.at("hedges")), 1u) << s;
  EXPECT_GE(number(q1.at("hedge_wins")), 1u) << s;
  EXPECT_LE(number(q1.at("hedge_wins")), number(q1.at("hedges"))) << s;
  // A send held by the frozen region was rescued by its copy, not by the thaw (1.5 s).
  EXPECT_LT(real(s.at("send_latency_ms").at("max")), 1000) << s;
  // The held first copies went through at the thaw: late copies, delivered twice.
  EXPECT_LE(number(q0.at("late_copies")), number(q1.at("hedge_wins"))) << s;
  EXPECT_EQ(number(s.at("duplicates")), number(s.at("received")) - number(s.at("unique")));
  EXPECT_EQ(str(s.at("load")),
            "bulkhead=adaptive,max-in-flight=none,slow-call-threshold=auto,hedge=50ms");
}

TEST_F(Bench, InjectedLatencyRaisesTheQueuesLatencyAndMovesItsTraffic) {
  auto port = free_port();
  auto run = bench_async(bench_args({"--count", "800", "--rate", "200", "--concurrency", "32",
                                     "--control", "127.0.0.1:" + std::to_string(port)}));
  ASSERT_TRUE(eventually([&] { return sent(port) >= 200; }, 10s));
  // A phase starts here: the report gives the exact latency of the sends started in it.
  auto marked = http_get(port, "/?mark=slow-phase");
  ASSERT_TRUE(marked);
  EXPECT_EQ(marked->status, 200) << marked->body;
  auto bad_mark = http_get(port, "/?mark=no%20spaces");
  ASSERT_TRUE(bad_mark);
  EXPECT_EQ(bad_mark->status, 400) << bad_mark->body;
  auto answer = http_get(port, "/?index=0&duration=2s&latency=300ms");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  auto before = json_object(answer->body);
  const auto& q0 = before.at("queues").at(0).as_object();
  EXPECT_EQ(real(q0.at("latency_injected_ms")), 300.0) << answer->body;
  EXPECT_EQ(real(before.at("queues").at(1).at("latency_injected_ms")), 0.0) << answer->body;
  double injected_at = real(before.at("elapsed_s"));

  // The dispatcher's estimate of queue 0's latency follows.
  bool slow = eventually(
      [&] {
        auto st = status(port);
        return !st.empty() && real(st.at("queues").at(0).at("latency_ms")) > 100;
      },
      3s);
  auto r = run.get();
  EXPECT_TRUE(slow);
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 800);
  EXPECT_NE(r.err.find("control: queue 0 +300ms latency for 2s"), std::string::npos) << r.err;
  // Some sends took the injected delay (and no more than it, plus a little)...
  EXPECT_GE(real(s.at("queues").at(0).at("send_latency_ms").at("max")), 290) << s;
  // ...but the traffic moved to queue 1: the whole seconds of the scenario, from the timeline.
  auto during = timeline_sent(s, std::ceil(injected_at), std::floor(injected_at + 2));
  EXPECT_GT(during[1], 150u) << s;
  EXPECT_GT(during[1], 3 * during[0]) << s;
  const auto& phases = s.at("phases").as_array();
  ASSERT_EQ(phases.size(), 1u) << s;
  EXPECT_EQ(str(phases[0].at("name")), "slow-phase");
  EXPECT_GT(number(phases[0].at("started")), 0u) << s;
  EXPECT_LE(number(phases[0].at("started")), 600u) << s;  // not the first 200
  EXPECT_GE(real(phases[0].at("send_latency_ms").at("max")), 290) << s;
}

// A hang holds every call to queue 0 for 2 s; the dispatcher sees them outstanding and sends
// the rest to queue 1. (The sends caught in the hang before the dispatcher saw it wait for its
// end: the concurrency is there so that they cannot hold every send slot.)
TEST_F(Bench, InjectedHangLosesNothingWhileTheOtherQueueTakesTheSends) {
  auto port = free_port();
  auto run = bench_async(bench_args({"--count", "800", "--rate", "200", "--concurrency", "200",
                                     "--control", "127.0.0.1:" + std::to_string(port)}));
  ASSERT_TRUE(eventually([&] { return sent(port) >= 200; }, 10s));
  auto answer = http_get(port, "/?index=0&duration=2s&hang=1");
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << answer->body;
  auto at_start = json_object(answer->body);
  EXPECT_TRUE(at_start.at("queues").at(0).at("hang").as_bool()) << answer->body;
  double hang_at = real(at_start.at("elapsed_s"));
  std::uint64_t sent_at_start = number(at_start.at("sent"));

  // Meanwhile the sends go on (200/s: 300 in 1.5 s), some calls are held.
  std::this_thread::sleep_for(1500ms);
  auto mid = status(port);
  ASSERT_FALSE(mid.empty());
  EXPECT_GE(number(mid.at("sent")), sent_at_start + 200) << mid;
  EXPECT_GT(number(mid.at("queues").at(0).at("held")), 0u) << mid;
  EXPECT_TRUE(mid.at("queues").at(0).at("hang").as_bool()) << mid;
  // Once it is over, the held calls went ahead.
  EXPECT_TRUE(eventually(
      [&] {
        auto st = status(port);
        return !st.empty() && number(st.at("queues").at(0).at("held")) == 0 &&
               !st.at("queues").at(0).at("hang").as_bool();
      },
      3s));
  auto r = run.get();
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 800);
  EXPECT_NE(r.err.find("control: queue 0 hangs for 2s"), std::string::npos) << r.err;
  // The sends caught in the hang waited for its end; the others went to queue 1.
  EXPECT_GE(real(s.at("queues").at(0).at("send_latency_ms").at("max")), 1000) << s;
  auto during = timeline_sent(s, std::ceil(hang_at), std::floor(hang_at + 2));
  EXPECT_GT(during[1], 150u) << s;
  EXPECT_GT(during[1], 3 * during[0]) << s;
}

TEST_F(Bench, ReceiveOnlyDrainsEveryRegion) {
  for (int i = 0; i < 3; ++i) {
    for (const auto* server : {region1_.get(), region2_.get()}) {
      auto r = sqsctl_raw({"--endpoint", server->endpoint(), "--region", server->region(), "send",
                           server == region1_.get() ? url1_ : url2_, "--body",
                           "left over " + std::to_string(i)});
      ASSERT_EQ(r.exit_code, 0) << describe(r);
    }
  }
  auto r = sqsctl_raw(bench_args({"--no-send", "--drain-timeout", "1"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  EXPECT_EQ(number(s.at("sent")), 0u);
  EXPECT_EQ(number(s.at("received")), 6u) << s;
  EXPECT_EQ(number(s.at("unique")), 6u) << s;
  EXPECT_EQ(number(s.at("lost")), 0u);
  EXPECT_EQ(number(s.at("queues").at(0).at("received")), 3u);
  EXPECT_EQ(number(s.at("queues").at(1).at("received")), 3u);
  EXPECT_EQ(messages_in(*region1_, url1_), 0);
  EXPECT_EQ(messages_in(*region2_, url2_), 0);
}

TEST_F(Bench, LeftoversOfOtherRunsAreNotCountedAsThisRunsMessages) {
  auto sent = sqsctl_raw({"--endpoint", region1_->endpoint(), "--region", region1_->region(),
                          "send", url1_, "--body", "not a bench message"});
  ASSERT_EQ(sent.exit_code, 0) << describe(sent);
  auto r = sqsctl_raw(bench_args({"--count", "50"}));
  ASSERT_EQ(r.exit_code, 0) << describe(r);
  auto s = summary(r);
  expect_nothing_lost(s, 50);
  EXPECT_EQ(number(s.at("foreign")), 1u) << s;
}

TEST_F(Bench, BadOptionsAreRefusedBeforeAnythingIsSent) {
  // The queue does not exist: an option that slipped through would fail with 1, not 2.
  const std::string q =
      "bench-no-such-queue,endpoint=" + region1_->endpoint() + ",region=us-east-1";
  const std::vector<std::vector<std::string>> cases = {
      {"bench"},
      {"bench", "--queue", q, "--count", "0"},
      {"bench", "--queue", q, "--count", "-5"},
      {"bench", "--queue", q, "--concurrency", "0"},
      {"bench", "--queue", q, "--receivers", "0"},
      {"bench", "--queue", q, "--message-bytes", "10"},
      {"bench", "--queue", q, "--message-bytes", "2000000"},
      {"bench", "--queue", q, "--dispatch", "fastest"},
      {"bench", "--queue", q, "--rate", "-1"},
      {"bench", "--queue", q, "--breaker", "trip=sometimes:3"},
      {"bench", "--queue", q, "--breaker", "trip=rate:10:1.5"},
      {"bench", "--queue", q, "--breaker", "interval=5"},
      {"bench", "--queue", q, "--breaker", "open-timeout=0s"},
      {"bench", "--queue", q, "--breaker", "half-open-successes=0"},
      {"bench", "--queue", q, "--breaker", "colour=blue"},
      {"bench", "--queue", q + ",weight=0"},
      {"bench", "--queue", q + ",weight=x"},
      {"bench", "--queue", q + ",flavour=vanilla"},
      {"bench", "--queue", q + ",region=us-east-1"},
      {"bench", "--queue", q + ",endpoint=localhost:1"},
      {"bench", "--queue", ",region=us-east-1"},
      {"bench", "--queue", q, "--control", "8.8.8.8:9003"},
      {"bench", "--queue", q, "--control", "127.0.0.1:99999"},
      {"bench", "--queue", q, "--drain-timeout", "0"},
      {"bench", "--queue", q, "--drain-timeout", "later"},
      {"bench", "--queue", q, "--wait-seconds", "21"},
      {"bench", "--queue", q, "--visibility-timeout", "0"},
      {"bench", "--queue", q, "--hedge", "soon"},
      {"bench", "--queue", q, "--hedge", "0"},
      {"bench", "--queue", q, "--hedge", "-5ms"},
      {"bench", "--queue", q, "--hedge", "p0"},
      {"bench", "--queue", q, "--hedge", "p101"},
      {"bench", "--queue", q, "--hedge", "p"},
      {"bench", "--queue", q, "--max-in-flight", "-1"},
      {"bench", "--queue", q, "--max-in-flight", "4"},  // no more than the 4 receivers
      {"bench", "--queue", q, "--slow-call-threshold", "fast"},
      {"bench", "--queue", q, "--slow-call-threshold", "-1s"},
  };
  for (const auto& args : cases) {
    auto r = sqsctl_raw(args);
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << "\n" << describe(r);
    EXPECT_EQ(r.out, "") << shown;
    EXPECT_FALSE(r.err.empty()) << shown;
  }
}

TEST_F(Bench, MissingQueueExits1) {
  auto r = sqsctl_raw({"bench", "--queue", spec(*region1_, "bench-no-such-queue"), "--count", "1"});
  EXPECT_EQ(r.exit_code, 1) << describe(r);
  EXPECT_NE(r.err.find("QueueDoesNotExist"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace sqsctl_test
