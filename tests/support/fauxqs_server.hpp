// A real local SQS server (the fauxqs emulator, run by the project-local Node 22) for tests:
// started on a free loopback port, and controllable like a region in trouble: freeze (SIGSTOP),
// thaw (SIGCONT), kill (SIGKILL), restart on the same port and data directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace sqs::test {

class FauxqsServer {
 public:
  struct Options {
    std::string region = "us-east-1";
    std::string data_dir;    // empty: in-memory; else SQLite persistence survives kill/restart
    std::uint16_t port = 0;  // 0: pick a free port
  };

  FauxqsServer() : FauxqsServer(Options{}) {}
  explicit FauxqsServer(Options options);  // starts it; throws std::runtime_error on failure
  ~FauxqsServer();                         // kills it
  FauxqsServer(const FauxqsServer&) = delete;
  FauxqsServer& operator=(const FauxqsServer&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& region() const { return options_.region; }
  std::string endpoint() const;  // "http://127.0.0.1:PORT"
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  void freeze();   // SIGSTOP: connections accepted by the kernel, never answered
  void thaw();     // SIGCONT
  void kill();     // SIGKILL, and reap
  void stop();     // SIGTERM, and reap
  void restart();  // start again on the same port (after kill/stop)

 private:
  void start();
  Options options_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// A fresh temporary directory (removed by the caller or left in /tmp).
std::string make_temp_dir(const std::string& prefix);

}  // namespace sqs::test
