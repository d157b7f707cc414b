// The AWS shared config and credentials files (INI), profiles, and the settings the SDKs read
// from them and from the environment.
//
// Parsing follows the AWS CLI / SDK shared-config rules: '#' and ';' start comment lines (and
// inline comments in values when preceded by whitespace, as the current SDKs do); "[default]"
// and "[profile NAME]" in the config file, "[NAME]" in the credentials file; keys are
// case-insensitive (stored lower-cased); keys and values are trimmed; an indented line continues
// the previous value, or, under a key with an empty value (`s3 =`), is a sub-property stored as
// "s3.max_concurrent_requests"; "[services NAME]" sections hold per-service blocks
// (`sqs =\n  endpoint_url = ...`); "[sso-session NAME]" sections hold SSO settings. Lines that are
// none of these are ignored.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace sqs::auth {

// One profile: lower-cased keys -> values; sub-properties as "parent.key".
struct Profile {
  std::map<std::string, std::string> values;
  // `key` is case-insensitive.
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
  // The file paths load() reads, with a leading "~" expanded.
  static std::string config_file_path();
  static std::string credentials_file_path();

  const Profile* profile(const std::string& name) const;
  // A [sso-session NAME] section of the config file.
  const Profile* sso_session(const std::string& name) const;
  // A key of a profile, e.g. ("default", "region").
  std::optional<std::string> get(const std::string& profile, const std::string& key) const;
  // Service-specific setting via the profile's `services = NAME` and its [services NAME]
  // section, e.g. service_setting("default", "sqs", "endpoint_url").
  std::optional<std::string> service_setting(const std::string& profile, const std::string& service,
                                             const std::string& key) const;

  // What load() found, for error messages ("looked in ..."). Empty paths after parse().
  const std::string& config_path() const { return config_path_; }
  const std::string& credentials_path() const { return credentials_path_; }
  bool config_found() const { return config_found_; }
  bool credentials_found() const { return credentials_found_; }

 private:
  enum class FileKind { config, credentials };
  void parse_file(const std::string& text, FileKind kind);

  std::map<std::string, Profile> profiles_;  // "default", "dev", ...
  std::map<std::string, Profile> services_;  // [services NAME] sections, keys "sqs.endpoint_url"
  std::map<std::string, Profile> sso_sessions_;  // [sso-session NAME] sections
  std::string config_path_, credentials_path_;
  bool config_found_ = false, credentials_found_ = false;
};

}  // namespace sqs::auth
