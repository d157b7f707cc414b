// Test fixture for sqsctl: one fauxqs server for the whole binary, the built sqsctl binary run
// as a subprocess against it with test credentials, and helpers to read its JSON output.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "sqsctl/process.hpp"

namespace sqsctl_test {

// build/bin/sqsctl, beside this test binary.
std::string sqsctl_binary();

// The endpoint of the shared fauxqs server (started once for the binary).
std::string fauxqs_endpoint();

class SqsctlTest : public ::testing::Test {
 protected:
  void SetUp() override;

  // sqsctl --endpoint E --region us-east-1 ARGS..., credentials in the environment.
  ProcessResult sqsctl(const std::vector<std::string>& args, const std::string& input = "");
  // sqsctl ARGS... with the base environment plus `extra_env` ("NAME=value", replacing a
  // variable of the same name), and no global options added.
  ProcessResult sqsctl_raw(const std::vector<std::string>& args, const std::string& input = "",
                           const std::vector<std::string>& extra_env = {});

  // The child's environment: the test's own minus every AWS_* variable and HOME, plus test
  // credentials, an empty HOME and no shared config files.
  std::vector<std::string> base_env() const;

  // A queue name unique to this test run ("sqsctl-N-<test>"; ".fifo" added when fifo).
  std::string unique_name(bool fifo = false);
  // Creates a queue with sqsctl and returns its URL (asserting success).
  std::string create_queue(bool fifo = false, const std::vector<std::string>& extra_args = {});

  // Receives until the queue gives nothing (receive --count large); returns the messages.
  std::vector<boost::json::object> drain(const std::string& queue, bool delete_them = true);
  // ApproximateNumberOfMessages + ApproximateNumberOfMessagesNotVisible + Delayed.
  int message_count(const std::string& queue);

  std::string home_dir_;
};

// Every line of `out` parsed as a JSON object (a failed expectation for a line that is not).
std::vector<boost::json::object> json_lines(const ProcessResult& result);
boost::json::object json_object(const std::string& line);
std::string str(const boost::json::value& v);  // the string v holds ("" when not a string)

// Printed by gtest on failure.
std::string describe(const ProcessResult& result);

}  // namespace sqsctl_test
