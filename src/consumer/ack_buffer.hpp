// The consumer's acknowledgements waiting for their batch (DeleteMessageBatch,
// ChangeMessageVisibilityBatch) per queue: the batching component the producer shares
// (batching/batch_buffer.hpp), 10 entries a batch, flushed after the ack linger.
#pragma once

#include "batching/batch_buffer.hpp"

namespace sqs::detail {

template <class Entry>
using LingerBuffer = BatchBuffer<Entry>;

}  // namespace sqs::detail
