#include "auth/json_credentials.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "auth/provider_support.hpp"

namespace sqs::auth {
namespace {

std::optional<boost::json::object> parse_object(std::string_view body) {
  boost::system::error_code ec;
  auto value = boost::json::parse(body, ec);
  if (ec || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

std::string member(const boost::json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

}  // namespace

std::optional<std::string> json_string_member(std::string_view body, const char* key) {
  auto o = parse_object(body);
  if (!o) return std::nullopt;
  auto it = o->find(key);
  if (it == o->end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().as_string());
}

Result<Credentials> parse_json_credentials(std::string_view body, const std::string& who,
                                           const JsonCredentialsRules& rules) {
  auto o = parse_object(body);
  if (!o) return credentials_error(kBadAnswer, who + ": the answer is not a JSON object");
  if (rules.check_version) {
    auto it = o->find("Version");
    if (it == o->end() || !it->value().is_int64() || it->value().as_int64() != 1) {
      return credentials_error(kBadAnswer, who + ": the answer must have \"Version\": 1");
    }
  }
  if (rules.check_code) {
    const std::string code = member(*o, "Code");
    if (!code.empty() && code != "Success") {
      return credentials_error(kFetchFailed,
                               who + ": the answer's Code is '" + code + "', not 'Success'");
    }
  }
  Credentials c;
  c.access_key_id = member(*o, "AccessKeyId");
  c.secret_access_key = member(*o, "SecretAccessKey");
  c.session_token = member(*o, rules.token_key);
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return credentials_error(kBadAnswer, who + ": the answer lacks AccessKeyId or SecretAccessKey");
  }
  const std::string expiration = member(*o, "Expiration");
  if (!expiration.empty()) {
    c.expiration = parse_iso8601(expiration);
    if (!c.expiration) {
      return credentials_error(kBadAnswer,
                               who + ": the answer's Expiration is not an ISO 8601 time");
    }
  } else if (rules.expiration_required) {
    return credentials_error(kBadAnswer, who + ": the answer has no Expiration");
  }
  return c;
}

}  // namespace sqs::auth
