// recv-delete and recv-delete-batch: C workers, each receiving up to 10 messages (wait 0) and
// deleting them, one DeleteMessage after another or with one DeleteMessageBatch.
#include <string>
#include <vector>

#include "workload.hpp"

namespace sqs_load {

namespace {

class ReceiveDeleteWorkload final : public Workload {
 public:
  ReceiveDeleteWorkload(Run& run, bool batch_delete)
      : run_(run), batch_delete_(batch_delete), workers_(run.options().concurrency) {
    receive_.max_messages = 10;
    receive_.wait_time_seconds = 0;
  }

  void start_worker(std::size_t index) override { receive(index); }

 private:
  struct Worker {
    std::vector<sqs::Message> messages;
    std::size_t next_delete = 0;
  };

  // As bench.mjs: a receive starts only while deleted + received-not-yet-deleted + 10 per
  // receive in flight < N, so against the canned endpoint (always 10 messages) exactly N are
  // deleted.
  void receive(std::size_t w) {
    if (run_.done() + pending_ + receiving_ * 10 >= run_.options().count || empty_streak_ >= 3 ||
        run_.too_many_errors()) {
      return run_.worker_done();
    }
    ++receiving_;
    run_.queue().async_receive(receive_, [this, w](sqs::Result<std::vector<sqs::Message>> r) {
      --receiving_;
      if (!r) {
        run_.fail(r.error());
        return receive(w);
      }
      if (r->empty()) {
        ++empty_streak_;
        return receive(w);
      }
      empty_streak_ = 0;
      pending_ += r->size();
      workers_[w].messages = std::move(*r);
      workers_[w].next_delete = 0;
      if (batch_delete_) return delete_batch(w);
      delete_next(w);
    });
  }

  void delete_next(std::size_t w) {
    Worker& worker = workers_[w];
    if (worker.next_delete == worker.messages.size()) return receive(w);
    auto& handle = worker.messages[worker.next_delete++].receipt_handle;
    run_.queue().async_delete_message(std::move(handle), [this, w](sqs::Result<sqs::Empty> r) {
      if (r) {
        run_.add_done();
      } else {
        run_.fail(r.error());
      }
      --pending_;
      delete_next(w);
    });
  }

  void delete_batch(std::size_t w) {
    Worker& worker = workers_[w];
    std::vector<std::string> handles;
    handles.reserve(worker.messages.size());
    for (auto& m : worker.messages) handles.push_back(std::move(m.receipt_handle));
    const std::size_t n = handles.size();
    run_.queue().async_delete_batch(handles, [this, w, n](sqs::Result<sqs::BatchOutcome> r) {
      if (!r) {
        run_.fail(r.error());
      } else {
        run_.add_done(r->successful.size());
        for (const auto& f : r->failed) {
          run_.fail("delete entry " + std::to_string(f.index) + " failed: " + f.code + " " +
                    f.message);
        }
      }
      pending_ -= n;
      receive(w);
    });
  }

  Run& run_;
  const bool batch_delete_;
  sqs::ReceiveOptions receive_;
  std::vector<Worker> workers_;
  std::uint64_t receiving_ = 0;
  std::uint64_t pending_ = 0;
  int empty_streak_ = 0;
};

}  // namespace

std::unique_ptr<Workload> make_recv_delete(Run& run, bool batch_delete) {
  return std::make_unique<ReceiveDeleteWorkload>(run, batch_delete);
}

}  // namespace sqs_load
