// The top-level help of sqsctl: what it is, how it is configured, exit statuses, examples.
#pragma once

#include <CLI/App.hpp>

namespace sqsctl {

inline constexpr const char* kVersionLine = "sqsctl 0.1.0 (aws-cpp-sqs 0.1.0)";

inline constexpr const char* kDescription =
    "sqsctl - Amazon SQS from the command line.\n"
    "Manages queues and sends and receives messages; messages and results are printed as JSON, "
    "one object per line.";

// Puts the commands of the help in two groups, in the order a user needs them.
void group_commands(CLI::App& app);

inline constexpr const char* kTopLevelFooter =
    R"HELP(QUEUE is a queue URL (http://... or https://...) or a queue name (looked up with GetQueueUrl).
Global options go before the command: sqsctl --region eu-west-1 list-queues

Configuration, as in every AWS SDK:
  region       --region, else AWS_REGION, AWS_DEFAULT_REGION, the profile's region
  endpoint     --endpoint, else AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, the profile's
               endpoint_url, else https://sqs.REGION.amazonaws.com
  credentials  the AWS default chain: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, web identity
               (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), the profile of --profile /
               AWS_PROFILE (keys, credential_process, SSO, assume-role), the container
               endpoint, EC2 instance metadata; `sqsctl whoami` shows which one answers
  retries      AWS_MAX_ATTEMPTS (standard retry mode, 3 attempts by default)
  timeouts     --timeout SECONDS bounds the whole command: every call, retry, back-off and
               page (receive: plus its long poll's wait). Without it: 10 s per attempt, no
               overall bound (3 attempts of a frozen server's 10 s, plus back-offs)

Output: one compact JSON object per line where there is JSON; message attribute values are
  {"DataType":"String","StringValue":"..."} or {"DataType":"Binary","BinaryValue":"<base64>"}.

Exit status:
  0  success
  1  the service, the network or a deadline failed; stderr says
     "error: CODE: message (HTTP n, request id x)"
  2  bad usage, invalid input or configuration (e.g. no region): nothing was sent

Examples:
  export AWS_REGION=us-east-1
  sqsctl create-queue orders
  sqsctl create-queue orders.fifo --attribute ContentBasedDeduplication=true
  sqsctl send orders --body 'hello' --attribute priority=Number:5
  sqsctl send orders.fifo --body 'step 1' --group-id customer-42
  printf '%s\n' '{"Body":"a"}' '{"Body":"b"}' | sqsctl send-batch orders
  sqsctl receive orders --max 10 --wait-seconds 20 --message-attribute-names All
  sqsctl receive orders --count 100 --wait-seconds 2 --delete > drained.jsonl
  sqsctl get-attributes orders ApproximateNumberOfMessages
  sqsctl --endpoint http://localhost:4566 list-queues --prefix ord
  sqsctl delete-queue orders

Run 'sqsctl COMMAND --help' for the options of a command.)HELP";

}  // namespace sqsctl
