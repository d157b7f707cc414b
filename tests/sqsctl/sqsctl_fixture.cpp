#include "sqsctl/sqsctl_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <memory>

#include "support/fauxqs_server.hpp"

extern char** environ;

namespace sqsctl_test {
namespace {

// One fauxqs for the whole binary: starting one costs about a second.
class FauxqsEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { server_ = std::make_unique<sqs::test::FauxqsServer>(); }
  void TearDown() override { server_.reset(); }
  static std::unique_ptr<sqs::test::FauxqsServer> server_;
};
std::unique_ptr<sqs::test::FauxqsServer> FauxqsEnvironment::server_;

[[maybe_unused]] auto* const environment =
    ::testing::AddGlobalTestEnvironment(new FauxqsEnvironment);

std::atomic<int> queue_counter{0};

}  // namespace

std::string sqsctl_binary() {
  return executable_dir() + "/sqsctl";
}

std::string fauxqs_endpoint() {
  return FauxqsEnvironment::server_->endpoint();
}

void SqsctlTest::SetUp() {
  ASSERT_EQ(::access(sqsctl_binary().c_str(), X_OK), 0)
      << sqsctl_binary() << " is missing: build the sqsctl target first";
  ASSERT_TRUE(FauxqsEnvironment::server_ && FauxqsEnvironment::server_->running());
  static const std::string home = sqs::test::make_temp_dir("sqsctl-home");
  home_dir_ = home;
}

std::vector<std::string> SqsctlTest::base_env() const {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var(*e);
    if (var.rfind("AWS_", 0) == 0 || var.rfind("HOME=", 0) == 0) continue;
    env.push_back(std::move(var));
  }
  env.push_back("HOME=" + home_dir_);
  env.push_back("AWS_ACCESS_KEY_ID=test");
  env.push_back("AWS_SECRET_ACCESS_KEY=test");
  env.push_back("AWS_CONFIG_FILE=" + home_dir_ + "/no-config");
  env.push_back("AWS_SHARED_CREDENTIALS_FILE=" + home_dir_ + "/no-credentials");
  // Never instance metadata at 169.254.169.254 (a test may override it with extra_env).
  env.push_back("AWS_EC2_METADATA_DISABLED=true");
  return env;
}

ProcessResult SqsctlTest::sqsctl(const std::vector<std::string>& args, const std::string& input) {
  std::vector<std::string> full = {"--endpoint", fauxqs_endpoint(), "--region", "us-east-1"};
  full.insert(full.end(), args.begin(), args.end());
  return sqsctl_raw(full, input);
}

ProcessResult SqsctlTest::sqsctl_raw(const std::vector<std::string>& args, const std::string& input,
                                     const std::vector<std::string>& extra_env) {
  std::vector<std::string> argv = {sqsctl_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto env = base_env();
  for (const auto& var : extra_env) {  // replaces a variable of the same name
    auto name = var.substr(0, var.find('=') + 1);
    std::erase_if(env, [&](const std::string& e) { return e.rfind(name, 0) == 0; });
    env.push_back(var);
  }
  auto result = run_process(argv, input, env);
  EXPECT_FALSE(result.timed_out) << "sqsctl did not finish: " << describe(result);
  // Under -DSQS_SANITIZE=ON the child reports memory and undefined-behaviour errors here.
  EXPECT_EQ(result.err.find("Sanitizer"), std::string::npos) << describe(result);
  EXPECT_EQ(result.err.find("runtime error:"), std::string::npos) << describe(result);
  return result;
}

std::string SqsctlTest::unique_name(bool fifo) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = "sqsctl-" + std::to_string(::getpid()) + "-" +
                     std::to_string(queue_counter++) + "-" + info->name();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '-';
  }
  name = name.substr(0, fifo ? 75 : 80);
  return fifo ? name + ".fifo" : name;
}

std::string SqsctlTest::create_queue(bool fifo, const std::vector<std::string>& extra_args) {
  std::vector<std::string> args = {"create-queue", unique_name(fifo)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto r = sqsctl(args);
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  auto lines = r.lines();
  EXPECT_EQ(lines.size(), 1u) << describe(r);
  return lines.empty() ? std::string() : lines.front();
}

std::vector<boost::json::object> SqsctlTest::drain(const std::string& queue, bool delete_them) {
  // fauxqs answers a short poll with every visible message, so no wait is needed to drain.
  std::vector<std::string> args = {
      "receive",           queue, "--count", "100000", "--message-attribute-names", "All",
      "--attribute-names", "All"};
  if (delete_them) args.push_back("--delete");
  auto r = sqsctl(args);
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  return json_lines(r);
}

int SqsctlTest::message_count(const std::string& queue) {
  auto r = sqsctl({"get-attributes", queue, "ApproximateNumberOfMessages",
                   "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  auto lines = json_lines(r);
  if (lines.size() != 1) return -1;
  int total = 0;
  for (const auto& [key, value] : lines.front()) total += std::stoi(str(value));
  return total;
}

std::vector<boost::json::object> json_lines(const ProcessResult& result) {
  std::vector<boost::json::object> out;
  for (const auto& line : result.lines()) out.push_back(json_object(line));
  return out;
}

boost::json::object json_object(const std::string& line) {
  boost::json::error_code ec;
  auto v = boost::json::parse(line, ec);
  EXPECT_FALSE(ec) << "not JSON: " << line;
  EXPECT_TRUE(!ec && v.is_object()) << "not a JSON object: " << line;
  if (ec || !v.is_object()) return {};
  return v.as_object();
}

std::string str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

std::string describe(const ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + "\n--- stdout:\n" + result.out +
         "--- stderr:\n" + result.err;
}

}  // namespace sqsctl_test
