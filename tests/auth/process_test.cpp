// credential_process: success, non-zero exit, bad JSON, timeout, and stdout never in errors.
#include <filesystem>

#include "auth/auth_test_support.hpp"
#include "auth/process_runner.hpp"

namespace sqs::auth_test {
namespace {

using namespace std::chrono_literals;

class ProcessTest : public AuthTest {
 protected:
  // A script printing `output` and exiting with `status`.
  std::string script(const std::string& output, int status = 0, const std::string& extra = "") {
    const std::string out = dir.write("out-" + std::to_string(n_) + ".txt", output);
    const std::string path = dir.write(
        "proc-" + std::to_string(n_++) + ".sh",
        "#!/bin/sh\n" + extra + "cat '" + out + "'\nexit " + std::to_string(status) + "\n");
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
  }
  int n_ = 0;
};

TEST_F(ProcessTest, SuccessWithExpirationFromAProfile) {
  const std::string json =
      std::string(R"({"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": ")") + kSecret +
      R"(", "SessionToken": ")" + kSessionToken + R"(", "Expiration": "2030-01-01T00:00:00Z"})";
  dir.write("config",
            "[profile p]\ncredential_process = " + script(json) + " --flag 'quoted arg'\n");
  auto o = options();
  o.profile = "p";
  auto r = make_profile_credentials_provider(o)->credentials();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->access_key_id, "ASIAPROC");
  EXPECT_EQ(r->session_token, kSessionToken);
  EXPECT_EQ(r->provider, "profile:p (process)");
  ASSERT_TRUE(r->expiration);
  EXPECT_EQ(auth::format_iso8601(*r->expiration), "2030-01-01T00:00:00Z");
}

TEST_F(ProcessTest, WithoutExpirationTheyAreLongTerm) {
  auto r = auth::run_credential_process(
      script(std::string(R"({"Version":1,"AccessKeyId":"AKIDP","SecretAccessKey":")") + kSecret +
             "\"}"),
      "t", 5s);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->expiration);
  EXPECT_EQ(r->session_token, "");
}

TEST_F(ProcessTest, NonZeroExitIsAnErrorAndStdoutIsNotShown) {
  auto r = auth::run_credential_process(
      script(std::string(kProcessOutputMarker) + " " + kSecret, 3, "echo 'to stderr' >&2\n"),
      "profile 'p' (credential_process)", 5s);
  auto e = expect_error(r, {"profile 'p' (credential_process)", "exited with status 3"});
  EXPECT_EQ(e.kind, ErrorKind::configuration);
}

TEST_F(ProcessTest, BadJsonIsAnError) {
  expect_error(
      auth::run_credential_process(script(std::string("{") + kProcessOutputMarker), "t", 5s),
      {"not a JSON object"});
  expect_error(auth::run_credential_process(
                   script(std::string(R"({"Version":2,"AccessKeyId":"A","SecretAccessKey":")") +
                          kProcessOutputMarker + "\"}"),
                   "t", 5s),
               {"\"Version\": 1"});
  expect_error(
      auth::run_credential_process(
          script(std::string(
                     R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","Expiration":")") +
                 kProcessOutputMarker + "\"}"),
          "t", 5s),
      {"Expiration"});
}

TEST_F(ProcessTest, ARunOverTheTimeoutIsKilled) {
  const auto start = std::chrono::steady_clock::now();
  expect_error(auth::run_credential_process("sleep 30", "t", 300ms),
               {"did not finish within 300 ms"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(ProcessTest, AMissingCommandIsReported) {
  expect_error(auth::run_credential_process("/nonexistent/credential-helper", "t", 5s),
               {"exited with status 127"});
}

}  // namespace
}  // namespace sqs::auth_test
