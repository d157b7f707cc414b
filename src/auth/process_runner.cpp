#include "auth/process_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/json_credentials.hpp"
#include "auth/provider_support.hpp"

extern char** environ;

namespace sqs::auth {
namespace {

constexpr std::size_t kMaxOutput = 64 * 1024;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Waits for the child and returns its wait status.
int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace

Result<Credentials> run_credential_process(const std::string& command, const std::string& who,
                                           std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return credentials_error(kFetchFailed, who + ": pipe failed: " + std::strerror(errno));
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so that a timeout kills what the shell started too.
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, "/bin/sh", &actions, &attributes,
                                    const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  write_end.reset();
  if (spawned != 0) {
    return credentials_error(kFetchFailed,
                             who + ": cannot start /bin/sh: " + std::strerror(spawned));
  }

  std::string output;
  bool timed_out = false;
  bool too_long = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left <= std::chrono::milliseconds::zero()) {
      timed_out = true;
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    if (ready == 0) continue;
    char buf[4096];
    const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of output (or an error): the exit status decides
    output.append(buf, static_cast<std::size_t>(n));
    if (output.size() > kMaxOutput) {
      too_long = true;
      break;
    }
  }
  if (timed_out || too_long) ::kill(-pid, SIGKILL);
  const int status = reap(pid);
  if (timed_out) {
    return credentials_error(kFetchFailed, who + ": the command did not finish within " +
                                               std::to_string(timeout.count()) +
                                               " ms and was killed");
  }
  if (too_long) {
    return credentials_error(kBadAnswer, who + ": the command wrote more than 64 KiB");
  }
  if (WIFSIGNALED(status)) {
    return credentials_error(kFetchFailed, who + ": the command was killed by signal " +
                                               std::to_string(WTERMSIG(status)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return credentials_error(kFetchFailed, who + ": the command exited with status " +
                                               std::to_string(WEXITSTATUS(status)) +
                                               " (its stderr, if any, was passed through above)");
  }
  JsonCredentialsRules rules;
  rules.token_key = "SessionToken";
  rules.expiration_required = false;
  rules.check_version = true;
  return parse_json_credentials(output, who, rules);
}

}  // namespace sqs::auth
