// Serialises the head (request line and header fields) of an HTTP/1.1 request. Hand-written on
// purpose: it is a few appends into a buffer the connection reuses, where Beast's fields and
// serializer would allocate a node per header on every request.
#pragma once

#include <string>

#include "http/types.hpp"

namespace sqs::http {

// Writes the head of `request` for `endpoint` into `out` (cleared first, capacity kept): the
// request line, Host (endpoint.host_header), the caller's headers except any Host or
// Content-Length, then Content-Length (when there is a body or the method may carry one) and
// the blank line. Returns false, leaving `out` unspecified, when the method, target or a header
// holds characters that would break the framing (CR, LF, NUL; spaces in method or target;
// an empty or non-token header name).
bool write_request_head(const Endpoint& endpoint, const Request& request, std::string& out);

}  // namespace sqs::http
