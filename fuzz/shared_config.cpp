// Fuzz target: the AWS shared config / credentials file parser (auth::SharedConfig::parse) and
// its look-ups (profile, get, service_setting). Input: the config file's text, a NUL byte, the
// credentials file's text (no NUL: the same text is used for both). The profile and section
// names and the keys looked up come from the input itself (every "[...]" header and every
// "key =" line), so the look-ups reach what was parsed.
// Invariants: nothing throws; every section header a reference scan finds gives a profile
// ("[default]" / "[profile NAME]" in config, "[NAME]" in credentials); the keys stored are
// lower-case, trimmed, non-empty and free of '=' and line breaks; look-ups are
// case-insensitive; a stored value starts and ends with no blank (continuation lines aside);
// service_setting is found only through the profile's `services` key; parsing is deterministic.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/shared_config.hpp"
#include "fuzz_common.hpp"

namespace {

using sqs::auth::Profile;
using sqs::auth::SharedConfig;

bool blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// Profile names a reader of the file sees; `services` gets the [services NAME] names.
std::set<std::string> profile_names(std::string_view text, bool credentials,
                                    std::set<std::string>& services) {
  std::set<std::string> names;
  for (std::string_view line : lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() != '[') continue;
    const auto close = line.find(']');
    if (close == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(1, close - 1));
    if (credentials) {
      if (!name.empty()) names.emplace(name);
      continue;
    }
    if (name == "default") {
      names.emplace(name);
      continue;
    }
    for (std::string_view word : {std::string_view("profile"), std::string_view("services")}) {
      if (name.size() > word.size() && name.starts_with(word) && blank(name[word.size()])) {
        const std::string_view rest = trim(name.substr(word.size()));
        if (!rest.empty()) (word == "profile" ? names : services).emplace(rest);
      }
    }
  }
  return names;
}

// Keys the input may have set: the text before each '=' (trimmed; sub-keys both alone and as
// "parent.sub" are covered by also trying every pair).
std::vector<std::string> candidate_keys(std::string_view text) {
  std::set<std::string> keys;
  for (std::string_view line : lines(text)) {
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, eq));
    if (!key.empty() && key.size() <= 64) keys.emplace(key);
    if (keys.size() >= 32) break;
  }
  return {keys.begin(), keys.end()};
}

void check_profile(const Profile& p) {
  for (const auto& [key, value] : p.values) {
    FUZZ_CHECK(!key.empty());
    FUZZ_CHECK(key.find_first_of("=\n") == std::string::npos);
    FUZZ_CHECK(trim(key) == key);
    for (char c : key) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
    // A value is one trimmed line, or lines joined with '\n' (continuations): each trimmed.
    for (std::string_view part : lines(value)) FUZZ_CHECK(trim(part) == part);
    FUZZ_CHECK(p.get(key) == value);
    FUZZ_CHECK(p.get(upper(key)) == value);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string config(input.substr(0, nul));
  const std::string credentials(nul == std::string_view::npos ? input : input.substr(nul + 1));

  sqs_fuzz::no_exception(__FILE__, [&] {
    const SharedConfig cfg = SharedConfig::parse(config, credentials);
    std::set<std::string> services;
    const std::set<std::string> config_names = profile_names(config, false, services);
    const std::set<std::string> credential_names = profile_names(credentials, true, services);
    std::set<std::string> names = config_names;
    names.insert(credential_names.begin(), credential_names.end());
    names.insert("default");  // looked up in any case

    std::vector<std::string> keys = candidate_keys(config);
    const std::vector<std::string> more = candidate_keys(credentials);
    keys.insert(keys.end(), more.begin(), more.end());
    keys.insert(keys.end(), {"region", "aws_access_key_id", "endpoint_url", "services"});

    const SharedConfig again = SharedConfig::parse(config, credentials);
    for (const std::string& name : names) {
      const Profile* p = cfg.profile(name);
      const bool written = config_names.contains(name) || credential_names.contains(name);
      FUZZ_CHECK_MSG((p != nullptr) == written, name);
      if (p == nullptr) continue;
      check_profile(*p);
      const Profile* q = again.profile(name);
      FUZZ_CHECK(q != nullptr && q->values == p->values);
      const auto service_name = p->get("services");
      for (const std::string& key : keys) {
        FUZZ_CHECK(cfg.get(name, key) == p->get(key));
        for (const char* service : {"sqs", "SQS", "s3"}) {
          const auto setting = cfg.service_setting(name, service, key);
          if (setting) FUZZ_CHECK(service_name && services.contains(*service_name));
          FUZZ_CHECK(setting == again.service_setting(name, upper(service), upper(key)));
        }
      }
    }
    FUZZ_CHECK(cfg.profile("no such profile \n") == nullptr);
  });
  return 0;
}
