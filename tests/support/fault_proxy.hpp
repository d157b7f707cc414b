// A fault-injection TCP proxy for tests: it listens on 127.0.0.1 and a free port, and forwards
// every connection it accepts to an upstream on 127.0.0.1 (a fauxqs server, a
// ScriptedHttpServer...), byte for byte, on its own thread. Between the two it can hold, stall,
// throttle, cut, reset or corrupt the traffic: to make a region slow, hang or flaky in front of
// a real server without touching it. Plain TCP: it knows nothing of HTTP.
//
//   ScriptedHttpServer server(...);           // or FauxqsServer
//   FaultProxy proxy(server.port());          // the client is pointed at proxy.endpoint()
//   proxy.set_faults({.latency = 2s});        // a brownout: every response held 2 s
//   ...
//   proxy.set_faults({});                     // over: from now on, traffic flows freely
//   proxy.hang();  ...  proxy.resume();       // nothing forwarded, then everything
//   proxy.set_connection_script([](std::size_t i) {   // each new connection its own faults:
//     return i % 10 == 0 ? FaultProxy::Faults{} : FaultProxy::Faults{.latency = 2s};
//   });
//
// Threading: every public call may be made from any thread while the proxy runs. set_faults,
// hang, resume, close_all, close_listener and reopen are synchronous: when they return, the
// proxy thread has applied them, so every byte forwarded afterwards obeys them. The counters
// can be read at any time. The connection script runs on the proxy thread, once per accepted
// connection; what it captures must be safe to use from there (it may call the proxy).
// Destroying the proxy stops it at once, even with stalled connections: whatever is held is
// dropped and every connection closed.
//
// What a connection does: on accept, the proxy connects to the upstream at once (even while
// stalled: only data is held back) and then reads both sockets all the time, queueing what it
// reads (up to about 4 MiB per direction; beyond that it stops reading until the queue drains, the
// back-pressure a real network gives). Each queued chunk is forwarded, in order, once every
// fault in force allows it. An end of stream (FIN) is passed on once everything read before it
// has been forwarded (half-close is kept); the connection is closed when both directions have
// ended. A reset read from one side resets the other once the queue is flushed; a failed write
// closes the connection. A refused upstream connection closes the client's (FIN).
//
// The faults of a connection: those given to set_faults (or to the constructor), or those the
// connection script returned for it when it was accepted. set_faults replaces the faults of
// every open connection too, scripted or not, and applies to what each forwards from then on:
// also to data already read and still held (so removing a latency releases held data at once).
// Byte counts and offsets below are per connection, counted from its first byte, and on the
// upstream→client direction ("the response") unless the option says otherwise.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sqs::test {

class FaultProxy {
 public:
  struct Faults {
    // Each chunk read from the upstream is forwarded no earlier than its receive time plus
    // `latency` (the latency in force when it would be forwarded). Order is kept; chunks read
    // during the hold wait each for their own time: every response is held by `latency`, and
    // one that arrives later is not held longer.
    std::chrono::milliseconds latency{0};
    // The same for client→upstream (requests).
    std::chrono::milliseconds request_latency{0};

    // Forward nothing, in either direction, on every connection (reading and queueing go on)
    // until stall is off again; then what was held is forwarded (its latency counted from when
    // it was read, so usually at once).
    bool stall = false;
    // The same, but only for connections accepted while it is set (their initial faults had
    // it): connections already open keep flowing. They flow again once their faults no longer
    // have it (set_faults without it, or resume()).
    bool stall_new_connections_only = false;

    // Once a connection has forwarded this many bytes to the client, both of its sides are
    // closed (FIN; what is still queued is dropped): a chunk that would cross the limit is cut
    // to it. 0 closes a connection as soon as it is accepted (before connecting upstream); a
    // connection already past the limit when this is set is closed at once.
    std::optional<std::size_t> cut_after_bytes;
    // Each new connection is reset (RST: SO_LINGER 0, then close) as soon as it is accepted,
    // without connecting upstream. Open connections are not touched.
    bool reset = false;
    // Like cut_after_bytes, but both sides are reset (RST) instead of closed. (The client
    // still receives the bytes before the limit: on loopback they are delivered when written.)
    std::optional<std::size_t> reset_after_bytes;

    // Bandwidth: each connection forwards to the client at most `bytes_per_second` (0: no
    // limit), in slices of bytes_per_second / 20 bytes (at least 1, so one every 50 ms): in
    // any t seconds it forwards at most one slice + bytes_per_second * t.
    std::size_t bytes_per_second = 0;
    // The same for client→upstream, its own budget.
    std::size_t request_bytes_per_second = 0;

    // Corruption of the bytes forwarded to the client: the byte at each of these offsets, and
    // with corrupt_every = N > 0 every Nth byte (offsets N-1, 2N-1, ...), gets one bit flipped,
    // the bit chosen by a PRNG from (corrupt_seed, offset): reproducible, whatever the TCP
    // chunking, and never leaves a corrupted byte unchanged.
    std::vector<std::size_t> corrupt_offsets;
    std::size_t corrupt_every = 0;
    std::uint64_t corrupt_seed = 1;
  };

  // The faults of connection `connection_index` (0-based, in accept order), decided when it is
  // accepted. Runs on the proxy thread.
  using ConnectionScript = std::function<Faults(std::size_t connection_index)>;

  // Listens at once; forwards to 127.0.0.1:upstream_port. (Two constructors, not a default
  // argument: a nested struct with member initializers cannot be one inside its class.)
  explicit FaultProxy(std::uint16_t upstream_port);
  FaultProxy(std::uint16_t upstream_port, Faults faults);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  // Replaces the faults of every open connection and of the new ones (unless a connection
  // script decides those).
  void set_faults(Faults faults);
  // A copy of the faults given to new connections when there is no script.
  Faults faults() const;
  // Decides the faults of each new connection (an empty function: back to set_faults').
  // Connections already open keep theirs.
  void set_connection_script(ConnectionScript script);

  // Stalls every connection, open and new, whatever its faults say, until resume().
  void hang();
  // Ends hang() and every stall: clears stall and stall_new_connections_only in the faults of
  // new connections and of every open one. What was held is forwarded.
  void resume();

  // Drops every open connection at once: both sides closed (FIN), held data dropped.
  void close_all();
  // Stops listening: new connections are refused (open ones go on). reopen() listens again,
  // on the same port (it throws if that port was taken meanwhile).
  void close_listener();
  void reopen();

  std::uint16_t port() const;
  // "http://127.0.0.1:PORT".
  std::string endpoint() const;

  std::size_t connections_accepted() const;  // including those reset or cut at once
  std::size_t connections_open() const;      // accepted and not yet closed
  // Bytes forwarded (counted as they are handed to the socket: by the time the peer has
  // them, they are counted), all connections.
  std::size_t bytes_up() const;    // client→upstream
  std::size_t bytes_down() const;  // upstream→client

 private:
  struct State;
  struct Connection;
  std::unique_ptr<State> state_;
};

}  // namespace sqs::test
