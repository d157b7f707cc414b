#include "client/checksums.hpp"

#include <algorithm>

#include "protocol/checksum.hpp"

namespace sqs::client {

std::optional<Error> verify_checksums(const SendMessageRequest& request, SendMessageResult& result) {
  return protocol::verify(request, result);
}

std::optional<Error> verify_checksums(const SendMessageBatchRequest& request,
                                      SendMessageBatchResult& result) {
  auto& ok = result.successful;
  for (auto it = ok.begin(); it != ok.end();) {
    auto entry = std::find_if(request.entries.begin(), request.entries.end(),
                              [&](const auto& e) { return e.id == it->id; });
    std::optional<Error> error;
    if (entry == request.entries.end()) {
      error = Error::make(ErrorKind::protocol, "UnknownBatchEntryId",
                          "the answer names an entry id that was not sent: " + it->id);
    } else {
      error = protocol::verify(*entry, *it);
    }
    if (error) {
      result.failed.push_back({it->id, error->code, error->message, false});
      it = ok.erase(it);
    } else {
      ++it;
    }
  }
  return std::nullopt;
}

std::optional<Error> verify_checksums(const ReceiveMessageRequest&, ReceiveMessageResult& result) {
  for (const auto& m : result.messages) {
    if (auto e = protocol::verify(m)) return e;
  }
  return std::nullopt;
}

}  // namespace sqs::client
