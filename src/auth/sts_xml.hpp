// The XML answers of STS (Query protocol): the credentials of AssumeRole /
// AssumeRoleWithWebIdentity, and the error document. Pure functions of the body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sqs/credentials.hpp"
#include "sqs/error.hpp"

namespace sqs::auth {

// <ACTIONResponse><ACTIONResult><Credentials>{AccessKeyId, SecretAccessKey, SessionToken,
// Expiration}</Credentials>...</ACTIONResult></ACTIONResponse>. The error message never
// contains the body (it holds secrets).
Result<Credentials> parse_sts_credentials(std::string_view body, std::string_view action);

struct StsError {
  std::string code;
  std::string message;
  std::string request_id;
};
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>; nullopt
// when the body is not one.
std::optional<StsError> parse_sts_error(std::string_view body);

}  // namespace sqs::auth
