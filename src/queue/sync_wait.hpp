// The sync forms: start the async form, block the calling thread until it completes. Refused
// on the client's own event-loop thread, where the completion could never run.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>

#include "sqs/client.hpp"

namespace sqs::detail {

template <class R, class Start>
Result<R> sync_wait(const Client& client, Start&& start) {
  if (client.in_event_loop_thread()) {
    return Error::make(ErrorKind::configuration, "WouldDeadlock",
                       "a synchronous call was made on the client's own event-loop thread; use "
                       "the async form there");
  }
  std::mutex m;
  std::condition_variable cv;
  std::optional<Result<R>> result;
  start(UniqueFunction<void(Result<R>)>([&](Result<R> r) {
    std::lock_guard<std::mutex> lock(m);
    result.emplace(std::move(r));
    cv.notify_one();
  }));
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return result.has_value(); });
  return std::move(*result);
}

}  // namespace sqs::detail
