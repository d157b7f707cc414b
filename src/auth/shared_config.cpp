#include "auth/shared_config.hpp"

#include <fstream>
#include <sstream>
#include <string_view>

#include "auth/environment.hpp"

namespace sqs::auth {
namespace {

constexpr bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A '#' or ';' preceded by whitespace starts an inline comment in a value.
std::string_view strip_inline_comment(std::string_view s) {
  for (std::size_t i = 1; i < s.size(); ++i) {
    if ((s[i] == '#' || s[i] == ';') && is_blank(s[i - 1])) return s.substr(0, i);
  }
  return s;
}

// "profile  dev" -> {"profile", "dev"}; second is empty when there is one word.
std::pair<std::string_view, std::string_view> split_first_word(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && !is_blank(s[i])) ++i;
  return {s.substr(0, i), trim(s.substr(i))};
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

}  // namespace

std::optional<std::string> Profile::get(const std::string& key) const {
  auto it = values.find(lower(key));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

void SharedConfig::parse_file(const std::string& text, FileKind kind) {
  Profile* section = nullptr;  // nullptr: outside any section we keep
  std::string key;             // last property of the section, for continuation lines
  bool nested = false;         // that property had an empty value: indented lines are sub-keys
  bool after_junk = false;     // last line was not understood: skip what is indented under it

  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view raw(text.data() + pos, end - pos);
    pos = end + 1;

    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;

    if (line.front() == '[') {
      key.clear();
      after_junk = false;
      section = nullptr;
      const std::size_t close = line.find(']');
      if (close == std::string_view::npos) continue;  // malformed header: skip its section
      const std::string_view name = trim(line.substr(1, close - 1));
      if (kind == FileKind::credentials) {
        if (!name.empty()) section = &profiles_[std::string(name)];
        continue;
      }
      const auto [word, rest] = split_first_word(name);
      if (name == "default") {
        section = &profiles_["default"];
      } else if (word == "profile" && !rest.empty()) {
        section = &profiles_[std::string(rest)];
      } else if (word == "services" && !rest.empty()) {
        section = &services_[std::string(rest)];
      } else if (word == "sso-session" && !rest.empty()) {
        section = &sso_sessions_[std::string(rest)];
      }  // unknown sections are skipped
      continue;
    }

    const bool indented = is_blank(raw.front());
    if (indented && after_junk) continue;
    if (indented && !key.empty()) {
      if (section == nullptr) continue;
      const std::string_view content = trim(strip_inline_comment(line));
      if (nested) {
        const std::size_t eq = content.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string sub = lower(trim(content.substr(0, eq)));
        if (sub.empty()) continue;
        section->values[key + "." + sub] = std::string(trim(content.substr(eq + 1)));
      } else {
        std::string& value = section->values[key];
        value += '\n';
        value += content;
      }
      continue;
    }

    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      key.clear();
      after_junk = true;
      continue;
    }
    after_junk = false;
    key = lower(trim(line.substr(0, eq)));
    const std::string_view value = trim(strip_inline_comment(line.substr(eq + 1)));
    nested = value.empty();
    if (key.empty() || section == nullptr) {
      key.clear();
      continue;
    }
    section->values[key] = std::string(value);
  }
}

SharedConfig SharedConfig::parse(const std::string& config_text,
                                 const std::string& credentials_text) {
  SharedConfig cfg;
  cfg.parse_file(config_text, FileKind::config);
  cfg.parse_file(credentials_text, FileKind::credentials);  // parsed last: its values win
  return cfg;
}

std::string SharedConfig::config_file_path() {
  return expand_home(env_var("AWS_CONFIG_FILE").value_or("~/.aws/config"));
}

std::string SharedConfig::credentials_file_path() {
  return expand_home(env_var("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
}

SharedConfig SharedConfig::load() {
  const std::string config_path = config_file_path();
  const std::string credentials_path = credentials_file_path();
  const auto config_text = read_file(config_path);
  const auto credentials_text = read_file(credentials_path);
  SharedConfig cfg = parse(config_text.value_or(""), credentials_text.value_or(""));
  cfg.config_path_ = config_path;
  cfg.credentials_path_ = credentials_path;
  cfg.config_found_ = config_text.has_value();
  cfg.credentials_found_ = credentials_text.has_value();
  return cfg;
}

std::string SharedConfig::profile_name(const std::string& explicit_profile) {
  if (!explicit_profile.empty()) return explicit_profile;
  return env_var("AWS_PROFILE").value_or("default");
}

const Profile* SharedConfig::profile(const std::string& name) const {
  auto it = profiles_.find(name);
  return it == profiles_.end() ? nullptr : &it->second;
}

const Profile* SharedConfig::sso_session(const std::string& name) const {
  auto it = sso_sessions_.find(name);
  return it == sso_sessions_.end() ? nullptr : &it->second;
}

std::optional<std::string> SharedConfig::get(const std::string& profile_name,
                                             const std::string& key) const {
  const Profile* p = profile(profile_name);
  if (p == nullptr) return std::nullopt;
  return p->get(key);
}

std::optional<std::string> SharedConfig::service_setting(const std::string& profile_name,
                                                         const std::string& service,
                                                         const std::string& key) const {
  const auto services_name = get(profile_name, "services");
  if (!services_name) return std::nullopt;
  auto it = services_.find(*services_name);
  if (it == services_.end()) return std::nullopt;
  return it->second.get(lower(service) + "." + lower(key));
}

}  // namespace sqs::auth
