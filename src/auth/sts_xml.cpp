#include "auth/sts_xml.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "auth/provider_support.hpp"

namespace sqs::auth {
namespace {

namespace pt = boost::property_tree;

std::optional<pt::ptree> parse_xml(std::string_view body) {
  try {
    std::istringstream in{std::string(body)};
    pt::ptree tree;
    pt::read_xml(in, tree, pt::xml_parser::trim_whitespace);
    return tree;
  } catch (const std::exception&) {
    return std::nullopt;  // (the exception's text may quote the body: never shown)
  }
}

std::string text(const pt::ptree& node, const char* path) {
  return node.get<std::string>(path, "");
}

}  // namespace

Result<Credentials> parse_sts_credentials(std::string_view body, std::string_view action) {
  const std::string what = "STS " + std::string(action) + " answer";
  auto tree = parse_xml(body);
  if (!tree) return credentials_error(kBadAnswer, what + " is not XML");
  const std::string root = std::string(action) + "Response";
  const auto result = tree->get_child_optional(
      pt::path(root + "/" + std::string(action) + "Result/Credentials", '/'));
  if (!result) return credentials_error(kBadAnswer, what + " has no Credentials element");
  Credentials c;
  c.access_key_id = text(*result, "AccessKeyId");
  c.secret_access_key = text(*result, "SecretAccessKey");
  c.session_token = text(*result, "SessionToken");
  const std::string expiration = text(*result, "Expiration");
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty()) {
    return credentials_error(kBadAnswer,
                             what + " lacks AccessKeyId, SecretAccessKey or SessionToken");
  }
  c.expiration = parse_iso8601(expiration);
  if (!c.expiration) return credentials_error(kBadAnswer, what + " has no valid Expiration");
  return c;
}

std::optional<StsError> parse_sts_error(std::string_view body) {
  auto tree = parse_xml(body);
  if (!tree) return std::nullopt;
  const auto response = tree->get_child_optional("ErrorResponse");
  if (!response) return std::nullopt;
  StsError e;
  e.code = text(*response, "Error.Code");
  e.message = text(*response, "Error.Message");
  e.request_id = text(*response, "RequestId");
  if (e.code.empty()) return std::nullopt;
  return e;
}

}  // namespace sqs::auth
