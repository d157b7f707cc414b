// The delay before a retried message is visible again (RetryPolicy), and the poll back-off.
#pragma once

#include <chrono>
#include <random>

#include "sqs/consumer.hpp"

namespace sqs::detail {

// initial * multiplier^(receive_count - 1), capped at max; with jitter, a uniform value in
// [delay/2, delay]. 0 when the policy is disabled. Whole seconds (what SQS takes).
std::chrono::seconds retry_delay(const RetryPolicy& policy, int receive_count,
                                 std::mt19937_64& rng);

// The next poll back-off after `previous` (0: the first error): doubled, within [min, max],
// with jitter in [b/2, b].
std::chrono::milliseconds next_poll_backoff(std::chrono::milliseconds previous,
                                            std::chrono::milliseconds min,
                                            std::chrono::milliseconds max, std::mt19937_64& rng);

}  // namespace sqs::detail
