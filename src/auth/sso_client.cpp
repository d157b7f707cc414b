#include "auth/sso_client.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstdio>
#include <fstream>

#include "auth/canonical_request.hpp"
#include "auth/environment.hpp"

namespace sqs::auth {
namespace {

constexpr auto kRefreshWindow = std::chrono::minutes(5);

std::string str(const boost::json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

// Writes `text` to `path` through a temporary file and a rename, readable by the owner only.
bool write_private_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return false;
    out << text;
    if (!out.flush()) return false;
  }
  ::chmod(tmp.c_str(), 0600);
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

bool uses_sso(const Profile& p) {
  return p.get("sso_session") || p.get("sso_start_url") || p.get("sso_account_id") ||
         p.get("sso_role_name");
}

Result<SsoSettings> sso_settings(const SharedConfig& config, const std::string& name,
                                 const Profile& p) {
  const std::string who = "profile '" + name + "' (sso)";
  SsoSettings s;
  s.profile = name;
  if (auto session = p.get("sso_session")) {
    s.session = *session;
    const Profile* section = config.sso_session(*session);
    if (section == nullptr) {
      return credentials_error(kInvalidConfig, who + ": sso_session '" + *session +
                                                   "' has no [sso-session " + *session +
                                                   "] section in the config file");
    }
    s.start_url = section->get("sso_start_url").value_or("");
    s.sso_region = section->get("sso_region").value_or("");
    // A legacy key in the profile must agree with the session's.
    for (const char* key : {"sso_start_url", "sso_region"}) {
      auto legacy = p.get(key);
      auto modern = section->get(key);
      if (legacy && modern && *legacy != *modern) {
        return credentials_error(kInvalidConfig, who + ": " + key +
                                                     " differs between the profile and its "
                                                     "sso-session '" +
                                                     *session + "'");
      }
    }
  } else {
    s.start_url = p.get("sso_start_url").value_or("");
    s.sso_region = p.get("sso_region").value_or("");
  }
  s.account_id = p.get("sso_account_id").value_or("");
  s.role_name = p.get("sso_role_name").value_or("");
  std::string missing;
  for (auto [key, value] :
       {std::pair<const char*, const std::string*>{"sso_start_url", &s.start_url},
        {"sso_region", &s.sso_region},
        {"sso_account_id", &s.account_id},
        {"sso_role_name", &s.role_name}}) {
    if (value->empty()) missing += std::string(missing.empty() ? "" : ", ") + key;
  }
  if (!missing.empty()) {
    return credentials_error(kIncomplete, who + ": missing " + missing);
  }
  s.cache_file = expand_home("~/.aws/sso/cache/") +
                 sha1_hex(s.session.empty() ? s.start_url : s.session) + ".json";
  auto portal = resolve_service_endpoint(config, name, "SSO", "sso",
                                         "https://portal.sso." + s.sso_region + ".amazonaws.com",
                                         s.sso_region, who);
  if (!portal) return std::move(portal).error();
  s.portal = std::move(*portal);
  auto oidc = resolve_service_endpoint(config, name, "SSO_OIDC", "sso_oidc",
                                       "https://oidc." + s.sso_region + ".amazonaws.com",
                                       s.sso_region, who);
  if (!oidc) return std::move(oidc).error();
  s.oidc = std::move(*oidc);
  return s;
}

SsoClient::SsoClient(SsoSettings settings, std::chrono::milliseconds timeout, WallClock now)
    : settings_(std::move(settings)), timeout_(timeout), now_(std::move(now)), http_(timeout) {}

std::string SsoClient::login_hint() const {
  return "run `aws sso login --profile " + settings_.profile + "`";
}

Result<std::string> SsoClient::access_token() {
  const std::string who = "profile '" + settings_.profile + "' (sso)";
  auto text = read_text_file(settings_.cache_file);
  if (!text) {
    return credentials_error(kTokenExpired, who + ": no cached SSO token in " +
                                                settings_.cache_file + ": " + login_hint());
  }
  boost::system::error_code ec;
  auto doc = boost::json::parse(*text, ec);
  if (ec || !doc.is_object()) {
    return credentials_error(kTokenExpired, who + ": the SSO token cache " + settings_.cache_file +
                                                " is not valid JSON: " + login_hint());
  }
  auto& cache = doc.as_object();
  const std::string token = str(cache, "accessToken");
  const auto expires = parse_iso8601(str(cache, "expiresAt"));
  if (token.empty() || !expires) {
    return credentials_error(kTokenExpired, who + ": the SSO token cache " + settings_.cache_file +
                                                " has no accessToken / expiresAt: " + login_hint());
  }
  const auto now = now_();
  if (now + kRefreshWindow < *expires) return token;

  // Near expiry or expired: refresh it (sso-session profiles, with a registration still valid).
  std::string why = "the SSO token expired";
  const std::string refresh = str(cache, "refreshToken");
  const std::string client_id = str(cache, "clientId");
  const std::string client_secret = str(cache, "clientSecret");
  const auto registration = parse_iso8601(str(cache, "registrationExpiresAt"));
  if (!settings_.session.empty() && !refresh.empty() && !client_id.empty() &&
      !client_secret.empty() && (!registration || now < *registration)) {
    boost::json::object body{{"clientId", client_id},
                             {"clientSecret", client_secret},
                             {"grantType", "refresh_token"},
                             {"refreshToken", refresh}};
    http::Request request;
    request.method = "POST";
    request.target = join_path(settings_.oidc.endpoint, "/token");
    request.headers.push_back({"Content-Type", "application/json"});
    request.headers.push_back({"User-Agent", "aws-cpp-sqs/0.1"});
    request.body = boost::json::serialize(body);
    auto outcome = http_.send(settings_.oidc.endpoint, std::move(request), timeout_);
    if (outcome.error) {
      why = "refreshing it through SSO-OIDC " + settings_.oidc.url +
            " failed: " + describe(outcome.error, timeout_);
    } else if (outcome.response.status != 200) {
      why = "refreshing it through SSO-OIDC " + settings_.oidc.url + " got HTTP " +
            std::to_string(outcome.response.status);
    } else {
      auto answer = boost::json::parse(outcome.response.body, ec);
      const boost::json::object* o = (!ec && answer.is_object()) ? &answer.as_object() : nullptr;
      const std::string fresh = o ? str(*o, "accessToken") : "";
      const auto* expires_in = o ? o->if_contains("expiresIn") : nullptr;
      if (fresh.empty() || expires_in == nullptr || !expires_in->is_number()) {
        why = "SSO-OIDC CreateToken answered without accessToken / expiresIn";
      } else {
        const auto seconds = static_cast<long long>(expires_in->to_number<double>());
        cache["accessToken"] = fresh;
        cache["expiresAt"] = format_iso8601(now + std::chrono::seconds(seconds));
        if (const std::string next = str(*o, "refreshToken"); !next.empty()) {
          cache["refreshToken"] = next;
        }
        // A failure to write back only costs a refresh next time.
        write_private_file(settings_.cache_file, boost::json::serialize(cache));
        return fresh;
      }
    }
  } else if (!settings_.session.empty()) {
    why =
        "the SSO token expired and cannot be refreshed (no refresh token, or the client "
        "registration expired)";
  }
  if (now < *expires) return token;  // the refresh failed, but the token still works
  return credentials_error(kTokenExpired,
                           who + ": SSO token expired (" + why + "): " + login_hint());
}

Result<Credentials> SsoClient::credentials() {
  const std::string who = "profile '" + settings_.profile + "' (sso)";
  auto token = access_token();
  if (!token) return std::move(token).error();
  http::Request request;
  request.method = "GET";
  std::string query = "account_id=";
  append_uri_encoded(query, settings_.account_id, true);
  query += "&role_name=";
  append_uri_encoded(query, settings_.role_name, true);
  request.target = join_path(settings_.portal.endpoint, "/federation/credentials") + "?" + query;
  request.headers.push_back({"x-amz-sso_bearer_token", *token});
  request.headers.push_back({"User-Agent", "aws-cpp-sqs/0.1"});
  auto outcome = http_.send(settings_.portal.endpoint, std::move(request), timeout_);
  if (outcome.error) {
    Error e = Error::make(
        outcome.error == boost::asio::error::timed_out ? ErrorKind::timeout : ErrorKind::transport,
        kFetchFailed,
        who + ": GetRoleCredentials at " + settings_.portal.url + ": " +
            describe(outcome.error, timeout_));
    e.retryable = true;
    return e;
  }
  const int status = outcome.response.status;
  if (status == 401 || status == 403) {
    return credentials_error(kTokenExpired, who + ": the SSO portal refused the token (HTTP " +
                                                std::to_string(status) + "): " + login_hint());
  }
  if (status != 200) {
    Error e = credentials_error(
        kFetchFailed, who + ": GetRoleCredentials of role " + settings_.role_name + " in account " +
                          settings_.account_id + " got HTTP " + std::to_string(status));
    e.http_status = status;
    e.retryable = status >= 500;
    return e;
  }
  boost::system::error_code ec;
  auto answer = boost::json::parse(outcome.response.body, ec);
  const boost::json::object* role = nullptr;
  if (!ec && answer.is_object()) {
    if (auto* rc = answer.as_object().if_contains("roleCredentials"); rc && rc->is_object()) {
      role = &rc->as_object();
    }
  }
  Credentials c;
  if (role != nullptr) {
    c.access_key_id = str(*role, "accessKeyId");
    c.secret_access_key = str(*role, "secretAccessKey");
    c.session_token = str(*role, "sessionToken");
  }
  const auto* expiration = role ? role->if_contains("expiration") : nullptr;
  if (c.access_key_id.empty() || c.secret_access_key.empty() || expiration == nullptr ||
      !expiration->is_number()) {
    return credentials_error(kBadAnswer, who +
                                             ": GetRoleCredentials answered without "
                                             "roleCredentials {accessKeyId, secretAccessKey, "
                                             "expiration}");
  }
  c.expiration = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(static_cast<long long>(expiration->to_number<double>())));
  c.provider = "profile:" + settings_.profile + " (sso)";
  return c;
}

}  // namespace sqs::auth
