// An in-process HTTP/1.1 server for client tests, on 127.0.0.1 and a free port, run by its own
// thread. A script (a callback) decides how to answer each request: a normal response (kept
// alive), a response and then a close, a close without answering, no answer at all, a delayed
// answer, a partial answer then a close, or raw bytes. Optionally over TLS.
//
//   ScriptedHttpServer server([](const ReceivedRequest& request) {
//     if (request.header("X-Amz-Target") == "AmazonSQS.SendMessage")
//       return Reply::json(200, R"({"MessageId":"..."})");
//     return Reply::with_status(500).then_close();
//   });
//   ... client pointed at server.endpoint() ...
//   ASSERT_TRUE(server.wait_for_requests(3, std::chrono::seconds(5)));
//   EXPECT_EQ(server.received()[0].body, "...");
//
// The script runs on the server thread, one request at a time; what it captures must be safe
// to use from there (constants, atomics, or state the test reads only after wait_for_requests).
// Requests must carry their body with Content-Length (the client under test never chunks).
// Destroying the server stops it at once: hanging and delayed answers are dropped, their
// connections closed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqs::test {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // in the order received
  std::string body;
  std::size_t connection = 0;        // 0-based index of the accepted connection that carried it
  std::size_t index = 0;             // 0-based index among all requests the server received
  std::string tls_server_name;       // SNI sent by the client (TLS servers only; empty when none)
  bool tls_session_resumed = false;  // the TLS handshake resumed an earlier session

  // Case-insensitive lookup; empty when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

struct Reply {
  enum class Kind {
    respond,  // send the response (status, headers, body)
    close,    // close the connection without answering
    hang,     // never answer; the connection stays open until the server is destroyed
    partial,  // send the first `partial_bytes` bytes of the response, then close
    raw,      // send `body` as is, bytes on the wire (no status line or headers added)
  };

  Kind kind = Kind::respond;
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds delay{0};  // wait this long before acting (any kind but hang)
  bool close_after = false;            // close the connection after answering, without saying so
  bool chunked = false;                // Transfer-Encoding: chunked instead of Content-Length
  std::size_t chunk_size = 1000;
  std::size_t partial_bytes = 0;  // for Kind::partial

  // 200 with `body` (no Content-Type).
  static Reply ok(std::string body = {});
  static Reply with_status(int status, std::string body = {});
  // `status` with Content-Type: application/x-amz-json-1.0, as SQS answers.
  static Reply json(int status, std::string body);
  static Reply close_connection();
  static Reply hang();
  // The first `bytes` bytes of `full` as serialised, then a close.
  static Reply partial(Reply full, std::size_t bytes);
  // Exactly these bytes (for malformed answers, HTTP/1.0, bodies delimited by the close...).
  static Reply raw(std::string bytes);

  // Adds a header. Content-Length / Transfer-Encoding given here replace the automatic ones.
  Reply& header(std::string name, std::string value);
  Reply& after(std::chrono::milliseconds wait);
  Reply& then_close();
  Reply& use_chunked(std::size_t size_of_chunks = 1000);

  // The bytes a Kind::respond reply puts on the wire.
  std::string serialize() const;
};

class ScriptedHttpServer {
 public:
  using Script = std::function<Reply(const ReceivedRequest&)>;

  struct Options {
    // Both set: serve HTTPS with this certificate chain (leaf first) and private key, PEM.
    std::string tls_certificate_pem;
    std::string tls_private_key_pem;
  };

  explicit ScriptedHttpServer(Script script);
  ScriptedHttpServer(Script script, Options options);
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:PORT" (https when serving TLS).
  std::string endpoint() const;

  std::size_t requests_received() const;
  std::size_t connections_accepted() const;
  // True once `count` requests have been received; false after `timeout`.
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;
  // A copy of every request received so far, in order.
  std::vector<ReceivedRequest> received() const;

  // Replaces the script (for the requests that arrive after this call).
  void set_script(Script script);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sqs::test
