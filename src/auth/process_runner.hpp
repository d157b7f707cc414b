// credential_process: runs the command with /bin/sh -c (as the AWS SDKs do on Unix), stdin from
// /dev/null, stderr passed through to ours, stdout captured (at most 64 KiB) and never logged;
// killed (its whole process group) when it runs longer than the timeout. Blocking: runs on a
// credentials cache's worker.
#pragma once

#include <chrono>
#include <string>

#include "sqs/credentials.hpp"

namespace sqs::auth {

// `who` starts every error message ("profile 'dev' (credential_process)"). The command line is
// not shown in errors either (it may carry a secret argument).
Result<Credentials> run_credential_process(const std::string& command, const std::string& who,
                                           std::chrono::milliseconds timeout);

}  // namespace sqs::auth
