#include "support/fauxqs_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace sqs::test {
namespace {

std::string node_binary() {
  if (const char* n = std::getenv("SQS_FAUXQS_NODE")) return n;
  return std::string(SQS_EMULATOR_DIR) + "/node_modules/.bin/node";
}

}  // namespace

FauxqsServer::FauxqsServer(Options options) : options_(std::move(options)) {
  port_ = options_.port;
  start();
}

FauxqsServer::~FauxqsServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGCONT);
    kill();
  }
}

std::string FauxqsServer::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void FauxqsServer::start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  std::string script = std::string(SQS_EMULATOR_DIR) + "/start.mjs";
  std::string node = node_binary();
  std::vector<std::string> args = {node,
                                   "--no-warnings",
                                   script,
                                   "--port",
                                   std::to_string(port_),
                                   "--region",
                                   options_.region,
                                   "--exit-with-parent"};
  if (!options_.data_dir.empty()) {
    args.push_back("--data-dir");
    args.push_back(options_.data_dir);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, node.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    throw std::runtime_error("cannot start fauxqs with " + node + ": " + std::strerror(rc) +
                             " (run scripts/setup.sh)");
  }
  pid_ = pid;

  // Wait for the {"port":N} line.
  std::string line;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buf[256];
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    line.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  auto nl = line.find('\n');
  if (nl == std::string::npos) {
    kill();
    throw std::runtime_error("fauxqs did not start (output: '" + line + "')");
  }
  auto v = boost::json::parse(line.substr(0, nl));
  port_ = static_cast<std::uint16_t>(v.at("port").to_number<int>());
}

void FauxqsServer::freeze() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}
void FauxqsServer::thaw() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}
void FauxqsServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}
void FauxqsServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}
void FauxqsServer::restart() {
  if (pid_ > 0) kill();
  start();
}

std::string make_temp_dir(const std::string& prefix) {
  std::string templ = "/tmp/" + prefix + "-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return buf.data();
}

}  // namespace sqs::test
