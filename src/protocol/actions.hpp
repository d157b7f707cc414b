// The action table lives in the public header (the client API needs the result types).
#pragma once

#include "sqs/actions.hpp"

namespace sqs::protocol {
using sqs::Action;
using sqs::result_of;
}  // namespace sqs::protocol
