// Reading the process environment the way the AWS SDKs do: an empty variable counts as unset.
#pragma once

#include <optional>
#include <string>

namespace sqs::auth {

std::optional<std::string> env_var(const char* name);

// "~" or "~/..." expanded with the home directory (HOME, else the password database).
std::string expand_home(const std::string& path);

}  // namespace sqs::auth
