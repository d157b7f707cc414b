// See fault_proxy.hpp. One io_context on one thread. Everything mutable (faults, the open
// connections, their queues) lives on that thread: public calls post their change there and
// wait for it, so no lock is needed and a change is in force when the call returns. Plain
// callbacks, no coroutines: each direction of a connection is a small state machine (reading,
// writing, waiting on a timer) that `pump` moves on.
#include "support/fault_proxy.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <deque>
#include <future>
#include <map>
#include <thread>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>

namespace sqs::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// Per direction: beyond this much queued, stop reading until the queue drains.
constexpr std::size_t kMaxQueuedBytes = 4 * 1024 * 1024;

const asio::ip::address& loopback() {
  static const asio::ip::address address = asio::ip::make_address("127.0.0.1");
  return address;
}

// One bit of the byte at `offset`, chosen from (seed, offset) alone (splitmix64), so that the
// corruption does not depend on how the stream was chunked.
unsigned char corruption_mask(std::uint64_t seed, std::size_t offset) {
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (static_cast<std::uint64_t>(offset) + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<unsigned char>(1u << (z & 7));
}

// Flips the bits `faults` asks for in data[0, n), the bytes at stream offsets [start, start+n).
void corrupt(const FaultProxy::Faults& faults, char* data, std::size_t n, std::size_t start) {
  std::vector<std::size_t> hits;
  for (const std::size_t offset : faults.corrupt_offsets) {
    if (offset >= start && offset - start < n) hits.push_back(offset);
  }
  if (const std::size_t every = faults.corrupt_every; every > 0) {
    for (std::size_t k = start + (every - 1 - start % every); k - start < n; k += every) {
      hits.push_back(k);
    }
  }
  // Each byte once: an offset listed twice (or also an Nth byte) must not flip back.
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  for (const std::size_t offset : hits) {
    data[offset - start] = static_cast<char>(static_cast<unsigned char>(data[offset - start]) ^
                                             corruption_mask(faults.corrupt_seed, offset));
  }
}

}  // namespace

struct FaultProxy::State {
  // Declared first, destroyed last: pending handlers own connections, whose sockets need it.
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  tcp::acceptor acceptor{io};
  std::uint16_t port = 0;  // set before the thread starts, then constant
  std::uint16_t upstream_port = 0;
  std::thread thread;

  // Proxy thread only.
  Faults defaults;
  ConnectionScript script;
  bool hung = false;
  std::map<std::size_t, std::shared_ptr<Connection>> open;

  // Read from any thread.
  std::atomic<std::size_t> accepted{0};
  std::atomic<std::size_t> open_count{0};
  std::atomic<std::size_t> up{0};
  std::atomic<std::size_t> down{0};

  // Runs `f` on the proxy thread and waits for it (inline when already there: the script may
  // call the proxy).
  template <class F>
  void run(F f) {
    if (io.get_executor().running_in_this_thread()) {
      f();
      return;
    }
    // (The promise is shared: it must outlive set_value, which may still be running on the
    // proxy thread when this thread wakes up and returns.)
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> result = done->get_future();
    asio::post(io, [&f, done] {
      try {
        f();
        done->set_value();
      } catch (...) {
        done->set_exception(std::current_exception());  // (reopen's bind): the caller's
      }
    });
    result.get();
  }

  std::vector<std::shared_ptr<Connection>> open_connections() const {
    std::vector<std::shared_ptr<Connection>> all;
    for (const auto& [index, connection] : open) all.push_back(connection);
    return all;  // a copy: closing one erases it from `open`
  }

  void forget(std::size_t index) {
    open.erase(index);
    open_count.store(open.size());
  }

  // Listens on `on_port` (0: a free one) and returns the port.
  std::uint16_t listen(std::uint16_t on_port) {
    const tcp::endpoint local(loopback(), on_port);
    error_code ec;
    acceptor.open(local.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(local, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      error_code ignored;
      acceptor.close(ignored);
      throw boost::system::system_error(ec, "FaultProxy: listen on 127.0.0.1");
    }
    accept_next();
    return acceptor.local_endpoint().port();
  }

  void accept_next() {
    acceptor.async_accept([this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;  // closed
      if (!ec) on_accept(std::move(socket));
      accept_next();
    });
  }

  void on_accept(tcp::socket socket);
};

// One accepted connection: the client's socket, the upstream's, and a Pipe for each direction.
struct FaultProxy::Connection : std::enable_shared_from_this<Connection> {
  struct Chunk {
    std::string data;
    std::size_t sent = 0;  // bytes of it already forwarded
    Clock::time_point received_at;
  };

  struct Pipe {
    Pipe(bool is_down, tcp::socket& source, tcp::socket& sink, asio::io_context& io)
        : down(is_down), from(source), to(sink), timer(io) {}

    const bool down;  // upstream→client
    tcp::socket& from;
    tcp::socket& to;
    asio::steady_timer timer;
    std::array<char, 64 * 1024> buffer;
    std::deque<Chunk> queue;
    std::size_t queued = 0;     // bytes in `queue` not yet forwarded
    std::size_t forwarded = 0;  // bytes written to `to`
    Clock::time_point free_at;  // the throttle's next slice, when throttled
    bool reading = false;
    bool writing = false;
    bool waiting = false;      // a timer wait is pending; its handler pumps
    bool source_done = false;  // the read side ended, with source_error
    error_code source_error;
    bool finished = false;  // the end of stream was passed on
  };

  Connection(State& proxy_state, std::size_t connection_index, tcp::socket client_socket,
             Faults initial)
      : proxy(proxy_state),
        index(connection_index),
        client(std::move(client_socket)),
        upstream(proxy_state.io),
        faults(std::move(initial)),
        born_stalled(faults.stall_new_connections_only),
        up(false, client, upstream, proxy_state.io),
        down(true, upstream, client, proxy_state.io) {}

  // (No destructor work: connections may die while `proxy` is being destroyed.)

  State& proxy;
  const std::size_t index;
  tcp::socket client;
  tcp::socket upstream;
  Faults faults;
  const bool born_stalled;
  Pipe up;
  Pipe down;
  bool closed = false;

  void start() {
    if (check_limits()) return;
    upstream.async_connect(tcp::endpoint(loopback(), proxy.upstream_port),
                           [self = shared_from_this()](error_code ec) {
                             if (self->closed) return;
                             if (ec) return self->close(false);
                             error_code ignored;
                             self->client.set_option(tcp::no_delay(true), ignored);
                             self->upstream.set_option(tcp::no_delay(true), ignored);
                             self->read(self->up);
                             self->read(self->down);
                           });
  }

  void apply(Faults new_faults) {
    faults = std::move(new_faults);
    if (check_limits()) return;
    kick(up);
    kick(down);
  }

  // Makes a pipe look at the faults again: a pending wait may now be too long, or over.
  void kick(Pipe& pipe) {
    if (pipe.waiting) {
      pipe.timer.cancel();  // its handler pumps
    } else {
      pump(pipe);
    }
  }

  bool stalled() const {
    return proxy.hung || faults.stall || (born_stalled && faults.stall_new_connections_only);
  }

  // The smaller of the two byte limits, and whether reaching it resets.
  std::optional<std::pair<std::size_t, bool>> limit() const {
    std::optional<std::pair<std::size_t, bool>> result;
    if (faults.cut_after_bytes) result.emplace(*faults.cut_after_bytes, false);
    if (faults.reset_after_bytes && (!result || *faults.reset_after_bytes < result->first)) {
      result.emplace(*faults.reset_after_bytes, true);
    }
    return result;
  }

  // Closes the connection if it has forwarded all the client may get (once the last of it is
  // written); true when it did.
  bool check_limits() {
    const auto l = limit();
    if (l && down.forwarded >= l->first && !down.writing) close(l->second);
    return closed;
  }

  void read(Pipe& pipe) {
    pipe.reading = true;
    pipe.from.async_read_some(asio::buffer(pipe.buffer), [self = shared_from_this(), &pipe](
                                                             error_code ec, std::size_t n) {
      pipe.reading = false;
      if (self->closed) return;
      if (ec) {
        pipe.source_done = true;
        pipe.source_error = ec;
      } else {
        pipe.queue.push_back({std::string(pipe.buffer.data(), n), 0, Clock::now()});
        pipe.queued += n;
      }
      self->pump(pipe);
      self->read_more(pipe);
    });
  }

  void read_more(Pipe& pipe) {
    if (!closed && !pipe.reading && !pipe.source_done && pipe.queued < kMaxQueuedBytes) {
      read(pipe);
    }
  }

  void wait_until(Pipe& pipe, Clock::time_point when) {
    pipe.waiting = true;
    pipe.timer.expires_at(when);
    pipe.timer.async_wait([self = shared_from_this(), &pipe](error_code) {
      pipe.waiting = false;
      if (!self->closed) self->pump(pipe);
    });
  }

  // Forwards the head of the queue if every fault allows it now, else waits for the moment one
  // would (a stall waits for a kick instead). At most one write and one wait at a time.
  void pump(Pipe& pipe) {
    if (closed || pipe.writing || pipe.waiting || stalled()) return;  // a stall holds ends too
    if (pipe.queue.empty()) {
      if (pipe.source_done && !pipe.finished) end_of_stream(pipe);
      return;
    }

    const auto latency = pipe.down ? faults.latency : faults.request_latency;
    const std::size_t rate = pipe.down ? faults.bytes_per_second : faults.request_bytes_per_second;
    const Clock::time_point now = Clock::now();
    Chunk& head = pipe.queue.front();
    Clock::time_point due = head.received_at + latency;
    if (rate > 0) due = std::max(due, pipe.free_at);
    if (now < due) return wait_until(pipe, due);

    std::size_t n = head.data.size() - head.sent;
    if (rate > 0) {
      n = std::min(n, std::max<std::size_t>(1, rate / 20));
      pipe.free_at = std::max(pipe.free_at, now) +
                     std::chrono::nanoseconds(static_cast<std::int64_t>(n) * 1'000'000'000 /
                                              static_cast<std::int64_t>(rate));
    }
    char* data = head.data.data() + head.sent;
    if (pipe.down) {
      if (const auto l = limit()) n = std::min(n, l->first - pipe.forwarded);  // checked > 0
      corrupt(faults, data, n, pipe.forwarded);
    }
    // Counted when handed to the socket, so that whoever sees the bytes arrive sees them
    // counted (the write's completion may come later than the peer's read).
    pipe.forwarded += n;
    (pipe.down ? proxy.down : proxy.up).fetch_add(n);
    pipe.writing = true;
    asio::async_write(pipe.to, asio::buffer(data, n),
                      [self = shared_from_this(), &pipe, n](error_code ec, std::size_t) {
                        pipe.writing = false;
                        if (self->closed) return;
                        if (ec) return self->close(false);
                        self->written(pipe, n);
                      });
  }

  void written(Pipe& pipe, std::size_t n) {
    Chunk& head = pipe.queue.front();
    head.sent += n;
    pipe.queued -= n;
    if (head.sent == head.data.size()) pipe.queue.pop_front();
    if (pipe.down && check_limits()) return;
    read_more(pipe);
    pump(pipe);
  }

  // Everything read has been forwarded and the source has ended: pass the end on.
  void end_of_stream(Pipe& pipe) {
    if (pipe.source_error != asio::error::eof) return close(true);  // a reset: reset the other
    error_code ignored;
    pipe.to.shutdown(tcp::socket::shutdown_send, ignored);
    pipe.finished = true;
    if (up.finished && down.finished) close(false);
  }

  // Closes both sides (with an RST when `reset`), dropping whatever is held. Pending handlers
  // then see `closed` and stop.
  void close(bool reset) {
    if (closed) return;
    closed = true;
    proxy.forget(index);  // first: whoever sees the close sees connections_open() count it
    for (tcp::socket* socket : {&client, &upstream}) {
      error_code ignored;
      if (reset) {
        socket->set_option(asio::socket_base::linger(true, 0), ignored);
      } else {
        socket->shutdown(tcp::socket::shutdown_send, ignored);
      }
      socket->close(ignored);
    }
    up.timer.cancel();
    down.timer.cancel();
  }
};

void FaultProxy::State::on_accept(tcp::socket socket) {
  const std::size_t index = accepted.fetch_add(1);
  Faults faults = script ? script(index) : defaults;
  if (faults.reset) {
    error_code ignored;
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    return;
  }
  auto connection =
      std::make_shared<Connection>(*this, index, std::move(socket), std::move(faults));
  open.emplace(index, connection);
  open_count.store(open.size());
  connection->start();
}

FaultProxy::FaultProxy(std::uint16_t upstream_port) : FaultProxy(upstream_port, Faults{}) {}

FaultProxy::FaultProxy(std::uint16_t upstream_port, Faults faults)
    : state_(std::make_unique<State>()) {
  state_->upstream_port = upstream_port;
  state_->defaults = std::move(faults);
  state_->port = state_->listen(0);
  state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

FaultProxy::~FaultProxy() {
  // No handler runs after stop(): held data and stalled connections are simply dropped, their
  // sockets closed as the io_context destroys what owns them.
  state_->io.stop();
  state_->thread.join();
  state_->open.clear();
}

void FaultProxy::set_faults(Faults faults) {
  state_->run([&] {
    state_->defaults = faults;
    for (const auto& connection : state_->open_connections()) connection->apply(faults);
  });
}

FaultProxy::Faults FaultProxy::faults() const {
  Faults copy;
  state_->run([&] { copy = state_->defaults; });
  return copy;
}

void FaultProxy::set_connection_script(ConnectionScript script) {
  state_->run([&] { state_->script = std::move(script); });
}

void FaultProxy::hang() {
  state_->run([&] { state_->hung = true; });
}

void FaultProxy::resume() {
  state_->run([&] {
    state_->hung = false;
    state_->defaults.stall = state_->defaults.stall_new_connections_only = false;
    for (const auto& connection : state_->open_connections()) {
      Faults faults = connection->faults;
      faults.stall = faults.stall_new_connections_only = false;
      connection->apply(std::move(faults));
    }
  });
}

void FaultProxy::close_all() {
  state_->run([&] {
    for (const auto& connection : state_->open_connections()) connection->close(false);
  });
}

void FaultProxy::close_listener() {
  state_->run([&] {
    error_code ignored;
    state_->acceptor.close(ignored);
  });
}

void FaultProxy::reopen() {
  state_->run([&] {
    if (!state_->acceptor.is_open()) state_->listen(state_->port);
  });
}

std::uint16_t FaultProxy::port() const {
  return state_->port;
}

std::string FaultProxy::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

std::size_t FaultProxy::connections_accepted() const {
  return state_->accepted.load();
}

std::size_t FaultProxy::connections_open() const {
  return state_->open_count.load();
}

std::size_t FaultProxy::bytes_up() const {
  return state_->up.load();
}

std::size_t FaultProxy::bytes_down() const {
  return state_->down.load();
}

}  // namespace sqs::test
