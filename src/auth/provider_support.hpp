// What every credential provider shares: error values that name the provider, the wall clock
// they read (injectable for tests), ISO 8601 times, and small file helpers.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sqs/clock.hpp"
#include "sqs/credentials.hpp"
#include "sqs/error.hpp"

namespace sqs::auth {

// Error codes of the providers.
inline constexpr const char* kNotFound = "CredentialsNotFound";  // nothing configured here
inline constexpr const char* kIncomplete = "IncompleteCredentials";
inline constexpr const char* kInvalidConfig = "InvalidCredentialsConfiguration";
inline constexpr const char* kFetchFailed = "CredentialsFetchFailed";
inline constexpr const char* kBadAnswer = "InvalidCredentialsResponse";
inline constexpr const char* kTokenExpired = "SsoTokenExpired";

inline Error credentials_error(const char* code, std::string message) {
  return Error::make(ErrorKind::configuration, code, std::move(message));
}

using WallClock = std::function<std::chrono::system_clock::time_point()>;
// The system clock, or `clock`'s reading taken as the time since 1970 (tests).
WallClock wall_clock_of(const std::shared_ptr<Clock>& clock);

// "2024-05-01T12:00:00Z", optional fraction, "Z" or "+hh:mm"/"-hh:mm"; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);
// "2024-05-01T12:00:00Z" (seconds precision).
std::string format_iso8601(std::chrono::system_clock::time_point t);

// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::string& path);

// "true" (any case) is true; anything else false.
bool is_true(const std::optional<std::string>& value);

// `text` with every occurrence of each non-empty secret replaced by "***": a last guard for
// messages that quote what a server or a process said.
std::string redact(std::string text, std::initializer_list<std::string_view> secrets);

// The last 4 characters of an access key id, for display: "...WXYZ".
std::string key_hint(std::string_view access_key_id);

}  // namespace sqs::auth
