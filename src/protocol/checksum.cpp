// Verification of the MD5s SQS returns against what was sent or received.
#include "protocol/checksum.hpp"

namespace sqs::protocol {
namespace {

std::string_view view(const std::optional<std::string>& s) {
  return s ? std::string_view(*s) : std::string_view();
}

// ASCII only, inline: std::tolower is a libc call per character (and locale-dependent), a
// visible cost when every message of a batch is checked.
constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_hex(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

Error mismatch(std::string_view which, std::string_view message_id, std::string_view expected,
               std::string_view actual) {
  std::string text;
  text.reserve(128);
  text.append(which).append(" mismatch for message ").append(message_id);
  text.append(": computed ").append(expected).append(", answer has ");
  if (actual.empty()) {
    text.append("none");
  } else {
    text.append(actual);
  }
  return Error::make(ErrorKind::checksum, std::string(kMd5MismatchCode), std::move(text));
}

// Shared by SendMessage and each SendMessageBatch entry: both carry the same fields.
template <class Request, class Answer>
std::optional<Error> verify_sent(const Request& request, const Answer& answer) {
  const std::string body_md5 = md5_hex(request.message_body);
  if (!equal_hex(body_md5, answer.md5_of_message_body)) {
    return mismatch("MD5OfMessageBody", answer.message_id, body_md5, answer.md5_of_message_body);
  }
  if (!request.message_attributes.empty()) {
    const std::string md5 = md5_of_message_attributes(request.message_attributes);
    const std::string_view got = view(answer.md5_of_message_attributes);
    if (!equal_hex(md5, got)) {
      return mismatch("MD5OfMessageAttributes", answer.message_id, md5, got);
    }
  }
  // Some SQS-compatible servers never return this digest: check it only when present.
  if (!request.message_system_attributes.empty() && answer.md5_of_message_system_attributes) {
    const std::string md5 = md5_of_message_attributes(request.message_system_attributes);
    if (!equal_hex(md5, *answer.md5_of_message_system_attributes)) {
      return mismatch("MD5OfMessageSystemAttributes", answer.message_id, md5,
                      *answer.md5_of_message_system_attributes);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<Error> verify(const SendMessageRequest& request, const SendMessageResult& result) {
  return verify_sent(request, result);
}

std::optional<Error> verify(const SendMessageBatchRequestEntry& request,
                            const SendMessageBatchResultEntry& result) {
  return verify_sent(request, result);
}

std::optional<Error> verify(const SendMessageBatchRequest& request,
                            SendMessageBatchResult& result) {
  auto& ok = result.successful;
  for (auto it = ok.begin(); it != ok.end();) {
    const SendMessageBatchRequestEntry* sent = nullptr;
    for (const auto& entry : request.entries) {
      if (entry.id == it->id) {
        sent = &entry;
        break;
      }
    }
    if (sent == nullptr) {
      return Error::make(ErrorKind::protocol, "UnknownBatchEntryId",
                         "SendMessageBatch answer names entry id '" + it->id +
                             "', which the request does not have");
    }
    if (auto error = verify_sent(*sent, *it)) {
      result.failed.push_back({it->id, std::move(error->code), std::move(error->message), false});
      it = ok.erase(it);
    } else {
      ++it;
    }
  }
  return std::nullopt;
}

std::optional<Error> verify(const Message& message) {
  const std::string body_md5 = md5_hex(message.body);
  if (!equal_hex(body_md5, message.md5_of_body)) {
    return mismatch("MD5OfBody", message.message_id, body_md5, message.md5_of_body);
  }
  if (!message.message_attributes.empty()) {
    const std::string md5 = md5_of_message_attributes(message.message_attributes);
    const std::string_view got = view(message.md5_of_message_attributes);
    if (!equal_hex(md5, got)) {
      return mismatch("MD5OfMessageAttributes", message.message_id, md5, got);
    }
  }
  return std::nullopt;
}

std::optional<Error> verify(const ReceiveMessageResult& result) {
  for (const auto& message : result.messages) {
    if (auto error = verify(message)) return error;
  }
  return std::nullopt;
}

}  // namespace sqs::protocol
