// A scripted STS on 127.0.0.1: answers AssumeRole and AssumeRoleWithWebIdentity as STS does
// (XML), with credentials named after the role, and keeps what it was sent.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "auth/auth_test_support.hpp"
#include "support/scripted_http_server.hpp"

namespace sqs::auth_test {

// The value of `name` in a form body (still percent-encoded).
inline std::string form_value(const std::string& body, const std::string& name) {
  const std::string key = name + "=";
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t end = body.find('&', pos);
    if (end == std::string::npos) end = body.size();
    if (body.compare(pos, key.size(), key) == 0)
      return body.substr(pos + key.size(), end - pos - key.size());
    pos = end + 1;
  }
  return {};
}

inline std::string sts_credentials_xml(const std::string& action, const std::string& key,
                                       std::chrono::system_clock::time_point exp) {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <" +
         action + "Result>\n    <Credentials>\n      <AccessKeyId>" + key +
         "</AccessKeyId>\n      <SecretAccessKey>" + kSecret +
         "</SecretAccessKey>\n      <SessionToken>" + kSessionToken +
         "</SessionToken>\n      <Expiration>" + iso(exp) +
         "</Expiration>\n    </Credentials>\n    <AssumedRoleUser><Arn>x</Arn></AssumedRoleUser>\n "
         " </" +
         action +
         "Result>\n  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\n</" +
         action + "Response>\n";
}

inline std::string sts_error_xml(const std::string& code, const std::string& message) {
  return "<ErrorResponse "
         "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" +
         code + "</Code><Message>" + message +
         "</Message></Error><RequestId>req-err-7</RequestId></ErrorResponse>";
}

// Credentials for role ".../NAME" have the key id "ASIA" + NAME (upper-cased by the test).
class FakeSts {
 public:
  explicit FakeSts(std::chrono::system_clock::time_point exp)
      : server_([this, exp](const test::ReceivedRequest& r) { return answer(r, exp); }) {}

  std::string endpoint() const { return server_.endpoint(); }
  test::ScriptedHttpServer& server() { return server_; }
  // Roles refused with this error code.
  void refuse(const std::string& role_suffix, const std::string& code) {
    std::lock_guard lock(mutex_);
    refused_[role_suffix] = code;
  }

 private:
  test::Reply answer(const test::ReceivedRequest& r, std::chrono::system_clock::time_point exp) {
    const std::string action = form_value(r.body, "Action");
    const std::string role = form_value(r.body, "RoleArn");
    const std::string name =
        role.substr(role.rfind("%2F") == std::string::npos ? 0 : role.rfind("%2F") + 3);
    {
      std::lock_guard lock(mutex_);
      if (auto it = refused_.find(name); it != refused_.end()) {
        return test::Reply::with_status(403, sts_error_xml(it->second, "not allowed for " + name))
            .header("Content-Type", "text/xml");
      }
    }
    if (form_value(r.body, "Version") != "2011-06-15") return test::Reply::with_status(400);
    if (action != "AssumeRole" && action != "AssumeRoleWithWebIdentity") {
      return test::Reply::with_status(400, sts_error_xml("InvalidAction", action));
    }
    return test::Reply::ok(sts_credentials_xml(action, "ASIA" + name, exp))
        .header("Content-Type", "text/xml");
  }

  std::mutex mutex_;
  std::map<std::string, std::string> refused_;
  test::ScriptedHttpServer server_;
};

}  // namespace sqs::auth_test
