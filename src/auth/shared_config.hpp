// The AWS shared config and credentials files (INI), profiles, and the settings the SDKs read
// from them and from the environment.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace sqs::auth {

// One profile: lower-cased keys -> values, plus nested sections ("services" blocks are resolved
// by SharedConfig::service_setting).
struct Profile {
  std::map<std::string, std::string> values;
  std::optional<std::string> get(const std::string& key) const;
};

class SharedConfig {
 public:
  // Loads AWS_CONFIG_FILE (default ~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (default
  // ~/.aws/credentials). Missing files are not an error. Values of the credentials file win
  // over the config file for the same profile.
  static SharedConfig load();
  // For tests: parse given texts.
  static SharedConfig parse(const std::string& config_text, const std::string& credentials_text);

  // Selected profile name: explicit, else AWS_PROFILE, else "default".
  static std::string profile_name(const std::string& explicit_profile);

  const Profile* profile(const std::string& name) const;
  // A key of a profile, e.g. ("default", "region").
  std::optional<std::string> get(const std::string& profile, const std::string& key) const;
  // Service-specific setting via the profile's `services = NAME` and its [services NAME]
  // section, e.g. service_setting("default", "sqs", "endpoint_url").
  std::optional<std::string> service_setting(const std::string& profile, const std::string& service,
                                             const std::string& key) const;

 private:
  std::map<std::string, Profile> profiles_;   // "default", "dev", ...
  std::map<std::string, Profile> services_;   // [services NAME] sections, keys "sqs.endpoint_url"
};

}  // namespace sqs::auth
