#include "sqs/error.hpp"

namespace sqs {

std::string_view to_string(ErrorKind kind) noexcept {
  switch (kind) {
    case ErrorKind::transport:
      return "transport";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::service:
      return "service";
    case ErrorKind::validation:
      return "validation";
    case ErrorKind::checksum:
      return "checksum";
    case ErrorKind::circuit_open:
      return "circuit_open";
    case ErrorKind::bulkhead_full:
      return "bulkhead_full";
    case ErrorKind::cancelled:
      return "cancelled";
    case ErrorKind::protocol:
      return "protocol";
    case ErrorKind::configuration:
      return "configuration";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string s = code.empty() ? std::string(sqs::to_string(kind)) : code;
  s += ": ";
  s += message;
  if (http_status != 0 || !request_id.empty()) {
    s += " (";
    if (http_status != 0) s += "HTTP " + std::to_string(http_status);
    if (!request_id.empty()) {
      if (http_status != 0) s += ", ";
      s += "request id " + request_id;
    }
    s += ")";
  }
  return s;
}

}  // namespace sqs
