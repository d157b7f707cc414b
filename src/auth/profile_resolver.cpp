#include "auth/profile_resolver.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <vector>

#include "auth/assume_role.hpp"
#include "auth/basic_providers.hpp"
#include "auth/container_client.hpp"
#include "auth/credentials_cache.hpp"
#include "auth/imds_client.hpp"
#include "auth/process_runner.hpp"
#include "auth/provider_support.hpp"
#include "auth/sso_client.hpp"
#include "auth/sts_client.hpp"
#include "auth/web_identity.hpp"

namespace sqs::auth {
namespace {

using ProviderResult = Result<std::shared_ptr<CredentialsProvider>>;

std::string describe_file(const std::string& path, bool found) {
  return path + (found ? "" : " (not found)");
}

class Resolver {
 public:
  Resolver(const SharedConfig& config, const CredentialsOptions& options, std::string top)
      : config_(config), options_(options), top_(std::move(top)) {}

  // `chain`: the profiles that led here through source_profile (empty for the named one).
  ProviderResult resolve(const std::string& name, std::vector<std::string> chain) {
    const Profile* p = config_.profile(name);
    if (p == nullptr) {
      if (!chain.empty()) {
        return credentials_error(kInvalidConfig,
                                 "profile '" + chain.back() + "': its source_profile '" + name +
                                     "' is not found in " + describe_shared_files(config_));
      }
      return credentials_error(
          kNotFound, "profile '" + name + "' not found in " + describe_shared_files(config_));
    }
    const bool source = !chain.empty();
    if (source && has_static_keys(*p)) return static_keys(name, *p);
    if (p->get("role_arn")) return assume_role(name, *p, std::move(chain));
    if (uses_sso(*p)) return sso(name, *p);
    if (auto command = p->get("credential_process")) return process(name, *command);
    if (p->get("aws_access_key_id") || p->get("aws_secret_access_key")) {
      return static_keys(name, *p);
    }
    return credentials_error(source ? kInvalidConfig : kNotFound,
                             "profile '" + name +
                                 "' has no credentials (aws_access_key_id / aws_secret_access_key, "
                                 "credential_process, sso_session, role_arn) in " +
                                 describe_shared_files(config_));
  }

 private:
  static bool has_static_keys(const Profile& p) {
    return p.get("aws_access_key_id") && p.get("aws_secret_access_key");
  }

  ProviderResult static_keys(const std::string& name, const Profile& p) {
    auto key = p.get("aws_access_key_id");
    auto secret = p.get("aws_secret_access_key");
    if (!key || !secret) {
      return credentials_error(kIncomplete,
                               "profile '" + name + "' has " +
                                   (key ? "aws_access_key_id but no aws_secret_access_key"
                                        : "aws_secret_access_key but no aws_access_key_id") +
                                   " in " + describe_shared_files(config_));
    }
    Credentials c;
    c.access_key_id = std::move(*key);
    c.secret_access_key = std::move(*secret);
    // aws_security_token: the name older tools wrote.
    c.session_token = p.get("aws_session_token").value_or(p.get("aws_security_token").value_or(""));
    c.provider = "profile:" + name;
    return std::shared_ptr<CredentialsProvider>(std::make_shared<StaticProvider>(std::move(c)));
  }

  ProviderResult process(const std::string& name, const std::string& command) {
    const std::string who = "profile '" + name + "' (credential_process)";
    auto fetch = [command, who, provider = "profile:" + name + " (process)",
                  timeout = options_.process_timeout]() {
      auto c = run_credential_process(command, who, timeout);
      if (c) c->provider = provider;
      return c;
    };
    return std::shared_ptr<CredentialsProvider>(std::make_shared<CredentialsCache>(
        "profile:" + name + " (process)", std::move(fetch), options_.refresh));
  }

  ProviderResult sso(const std::string& name, const Profile& p) {
    auto settings = sso_settings(config_, name, p);
    if (!settings) return std::move(settings).error();
    auto client = std::make_shared<SsoClient>(std::move(*settings), options_.http_timeout,
                                              wall_clock_of(options_.refresh.clock));
    return std::shared_ptr<CredentialsProvider>(std::make_shared<CredentialsCache>(
        "profile:" + name + " (sso)", [client] { return client->credentials(); },
        options_.refresh));
  }

  ProviderResult assume_role(const std::string& name, const Profile& p,
                             std::vector<std::string> chain) {
    const std::string who = "profile '" + name + "' (assume-role)";
    const std::string role_arn = *p.get("role_arn");
    if (p.get("mfa_serial")) {
      return credentials_error(kInvalidConfig,
                               who +
                                   ": mfa_serial is set, but this library cannot ask for an MFA "
                                   "code; use a profile without mfa_serial (e.g. SSO), or get "
                                   "session credentials first (aws sts get-session-token)");
    }
    if (auto token_file = p.get("web_identity_token_file")) {
      WebIdentitySettings s;
      s.token_file = *token_file;
      s.role_arn = role_arn;
      s.session_name = p.get("role_session_name").value_or("");
      s.who = "profile '" + name + "' (web identity)";
      s.provider = "profile:" + name + " (web-identity)";
      return make_web_identity_provider(std::move(s), config_, top_, options_);
    }
    auto source_profile = p.get("source_profile");
    auto credential_source = p.get("credential_source");
    if (source_profile && credential_source) {
      return credentials_error(kInvalidConfig,
                               who + ": sets both source_profile and credential_source; keep one");
    }
    std::shared_ptr<CredentialsProvider> source;
    if (source_profile) {
      chain.push_back(name);
      const bool self = *source_profile == name;
      const Profile* sp = config_.profile(*source_profile);
      const bool self_with_keys = self && sp != nullptr && has_static_keys(*sp);
      if (!self_with_keys &&
          std::find(chain.begin(), chain.end(), *source_profile) != chain.end()) {
        std::string path;
        for (const auto& step : chain) path += step + " -> ";
        return credentials_error(kInvalidConfig, who + ": the source_profile chain " + path +
                                                     *source_profile + " is a cycle");
      }
      if (chain.size() > 16) {
        return credentials_error(kInvalidConfig, who + ": source_profile chain too long");
      }
      auto r = self_with_keys ? static_keys(name, *sp) : resolve(*source_profile, chain);
      if (!r) return std::move(r).error();
      source = std::move(*r);
    } else if (credential_source) {
      auto r = named_source(who, *credential_source);
      if (!r) return std::move(r).error();
      source = std::move(*r);
    } else {
      return credentials_error(kIncomplete, who +
                                                ": role_arn is set but neither source_profile, "
                                                "credential_source nor web_identity_token_file is");
    }
    AssumeRoleOptions role;
    role.role_arn = role_arn;
    role.role_session_name = p.get("role_session_name").value_or("");
    role.external_id = p.get("external_id").value_or("");
    if (auto duration = p.get("duration_seconds")) {
      char* end = nullptr;
      const long seconds = std::strtol(duration->c_str(), &end, 10);
      if (end == duration->c_str() || *end != '\0' || seconds < 900 || seconds > 43200) {
        return credentials_error(
            kInvalidConfig,
            who + ": duration_seconds must be 900 to 43200, got '" + *duration + "'");
      }
      role.duration_seconds = static_cast<int>(seconds);
    }
    return assume_role_provider(name, std::move(source), std::move(role));
  }

  ProviderResult named_source(const std::string& who, const std::string& source) {
    if (source == "Environment") {
      return std::shared_ptr<CredentialsProvider>(std::make_shared<EnvironmentProvider>());
    }
    if (source == "Ec2InstanceMetadata") {
      auto settings = imds_settings(config_, top_, options_);
      if (!settings) return std::move(settings).error();
      auto imds = std::make_shared<ImdsClient>(std::move(*settings));
      auto refresh = options_.refresh;
      refresh.static_stability = true;
      return std::shared_ptr<CredentialsProvider>(std::make_shared<CredentialsCache>(
          "instance-metadata", [imds] { return imds->credentials(); }, refresh));
    }
    if (source == "EcsContainer") {
      auto settings = container_settings();
      if (!settings) {
        return credentials_error(kInvalidConfig,
                                 who +
                                     ": credential_source = EcsContainer, but neither "
                                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                                     "AWS_CONTAINER_CREDENTIALS_FULL_URI is set");
      }
      if (!*settings) return std::move(*settings).error();
      auto client = std::make_shared<ContainerClient>(std::move(**settings), options_.http_timeout);
      return std::shared_ptr<CredentialsProvider>(std::make_shared<CredentialsCache>(
          "container", [client] { return client->credentials(); }, options_.refresh));
    }
    return credentials_error(kInvalidConfig, who +
                                                 ": credential_source must be Environment, "
                                                 "Ec2InstanceMetadata or EcsContainer, got '" +
                                                 source + "'");
  }

  ProviderResult assume_role_provider(const std::string& name,
                                      std::shared_ptr<CredentialsProvider> source,
                                      AssumeRoleOptions role) {
    return make_assume_role_provider(std::move(source), std::move(role), config_, top_, options_,
                                     "profile:" + name + " (assume-role)",
                                     "profile '" + name + "' (assume-role)");
  }

  const SharedConfig& config_;
  const CredentialsOptions& options_;
  const std::string top_;  // the named profile: its region and endpoints are used for STS
};

}  // namespace

std::string describe_shared_files(const SharedConfig& config) {
  return "shared credentials file " +
         describe_file(config.credentials_path(), config.credentials_found()) +
         " and shared config file " + describe_file(config.config_path(), config.config_found());
}

ProviderResult make_provider_for_profile(const SharedConfig& config, const std::string& name,
                                         const CredentialsOptions& options) {
  return Resolver(config, options, name).resolve(name, {});
}

}  // namespace sqs::auth
