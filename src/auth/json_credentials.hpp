// The JSON credential documents of instance metadata, the container endpoint and
// credential_process: {"AccessKeyId", "SecretAccessKey", "Token" or "SessionToken",
// "Expiration"}. Error messages never quote the document (it holds secrets).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sqs/credentials.hpp"

namespace sqs::auth {

struct JsonCredentialsRules {
  const char* token_key = "Token";  // "SessionToken" for credential_process
  bool expiration_required = true;
  bool check_version = false;  // credential_process: "Version": 1
  bool check_code = false;     // instance metadata: "Code": "Success" when present
};

// `who` starts every error message ("container", "instance metadata"...).
Result<Credentials> parse_json_credentials(std::string_view body, const std::string& who,
                                           const JsonCredentialsRules& rules);

// A string member of a JSON object document; nullopt when the body is not an object or lacks it.
std::optional<std::string> json_string_member(std::string_view body, const char* key);

}  // namespace sqs::auth
