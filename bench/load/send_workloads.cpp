// send and send-batch: C calls in flight until N messages are issued (bench.mjs's loops).
#include <algorithm>
#include <string>
#include <vector>

#include "workload.hpp"

namespace sqs_load {

namespace {

class SendWorkload final : public Workload {
 public:
  explicit SendWorkload(Run& run) : run_(run) {}

  void start_worker(std::size_t) override { next(); }

 private:
  void next() {
    if (issued_ >= run_.options().count || run_.too_many_errors()) return run_.worker_done();
    ++issued_;
    run_.queue().async_send(run_.body(), options_, [this](sqs::Result<sqs::SendMessageResult> r) {
      if (r) {
        run_.add_done();
      } else {
        run_.fail(r.error());
      }
      next();
    });
  }

  Run& run_;
  const sqs::SendOptions options_;
  std::uint64_t issued_ = 0;
};

// A batch carries min(10, messages left) entries, ids "0".."n-1" (Queue::send_batch makes the
// ids the input indices), and only the entries sent are counted — what bench.mjs does. The
// canned endpoint always answers ten entries, which our client rejects for a shorter batch
// (an answer naming ids not sent is a protocol error): use N a multiple of 10 there.
class SendBatchWorkload final : public Workload {
 public:
  explicit SendBatchWorkload(Run& run)
      : run_(run), full_(10, sqs::OutgoingMessage{run.body(), {}}) {}

  void start_worker(std::size_t) override { next(); }

 private:
  void next() {
    const auto count = run_.options().count;
    if (issued_ >= count || run_.too_many_errors()) return run_.worker_done();
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(10, count - issued_));
    issued_ += n;
    auto on_done = [this, n](sqs::Result<sqs::BatchSendResult> r) {
      if (!r) {
        run_.fail(r.error());
      } else {
        for (const auto& ok : r->successful) {
          if (ok.index < n) run_.add_done();
        }
        for (const auto& f : r->failed) {
          run_.fail("batch entry " + std::to_string(f.index) + " failed: " + f.code + " " +
                    f.message);
        }
      }
      next();
    };
    if (n == full_.size()) {
      run_.queue().async_send_batch(full_, std::move(on_done));
    } else {
      std::vector<sqs::OutgoingMessage> part(full_.begin(), full_.begin() + n);
      run_.queue().async_send_batch(part, std::move(on_done));
    }
  }

  Run& run_;
  const std::vector<sqs::OutgoingMessage> full_;
  std::uint64_t issued_ = 0;  // messages
};

}  // namespace

std::unique_ptr<Workload> make_send(Run& run) {
  return std::make_unique<SendWorkload>(run);
}
std::unique_ptr<Workload> make_send_batch(Run& run) {
  return std::make_unique<SendBatchWorkload>(run);
}

}  // namespace sqs_load
