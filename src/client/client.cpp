#include "sqs/client.hpp"

#include <condition_variable>
#include <mutex>

#include <boost/asio/system_executor.hpp>

#include "client/client_impl.hpp"
#include "client/operation.hpp"

namespace sqs {

namespace {
std::shared_ptr<detail::ClientImpl> make_impl(ClientConfig config,
                                              std::optional<boost::asio::any_io_executor> ex) {
  auto resolved = client::resolve(std::move(config));
  if (!resolved) throw Exception(std::move(resolved).error());
  auto impl = std::make_shared<detail::ClientImpl>(std::move(*resolved), std::move(ex));
  impl->start_threads();
  return impl;
}
}  // namespace

Client::Client(ClientConfig config) : impl_(make_impl(std::move(config), std::nullopt)) {}

Client::Client(boost::asio::any_io_executor executor, ClientConfig config)
    : impl_(make_impl(std::move(config), std::move(executor))) {}

Client::~Client() {
  if (impl_ && owner_) impl_->shutdown();
}

Client::Client(Client&& other) noexcept : impl_(std::move(other.impl_)), owner_(other.owner_) {
  other.owner_ = false;
}

Client& Client::operator=(Client&& other) noexcept {
  if (this != &other) {
    if (impl_ && owner_) impl_->shutdown();
    impl_ = std::move(other.impl_);
    owner_ = other.owner_;
    other.owner_ = false;
  }
  return *this;
}

Result<Client> Client::make(ClientConfig config) {
  auto resolved = client::resolve(std::move(config));
  if (!resolved) return std::move(resolved).error();
  auto impl = std::make_shared<detail::ClientImpl>(std::move(*resolved), std::nullopt);
  impl->start_threads();
  return Client(std::move(impl), true);
}

Client Client::handle() const {
  return Client(impl_, false);
}

const std::string& Client::region() const {
  return impl_->config().region;
}
const std::string& Client::endpoint() const {
  return impl_->config().endpoint_url;
}
const ClientConfig& Client::config() const {
  return impl_->config().config;
}
ClientMetrics Client::metrics() const {
  return {impl_->pool().open_connections(), impl_->pool().connections_opened()};
}
boost::asio::any_io_executor Client::get_executor() const {
  // Once an owned loop is shut down no thread runs it: handlers of calls made through a handle
  // after that would be posted there and never run. They complete inline instead.
  if (impl_->closed() && impl_->owns_loop()) return boost::asio::system_executor();
  return impl_->executor();
}

bool Client::in_event_loop_thread() const {
  return impl_->in_loop_thread();
}

void Client::defer(detail::UniqueFunction<void()> f) const {
  if (!impl_->post(f)) f();
}

bool Client::block_on(detail::UniqueFunction<void(detail::UniqueFunction<void()>)> start_op) const {
  if (impl_->in_loop_thread()) return false;
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  start_op([&] {
    std::lock_guard<std::mutex> lock(m);
    done = true;
    cv.notify_one();
  });
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [&] { return done; });
  return true;
}

Result<std::vector<std::string>> Client::list_all_queues(std::optional<std::string> prefix) const {
  std::vector<std::string> all;
  ListQueuesRequest request;
  request.queue_name_prefix = std::move(prefix);
  request.max_results = 1000;
  for (;;) {
    auto page = list_queues(request);
    if (!page) return std::move(page).error();
    for (auto& url : page->queue_urls) all.push_back(std::move(url));
    if (!page->next_token || page->next_token->empty()) break;
    // A server that hands back the token it was given would keep us here forever.
    if (page->next_token == request.next_token) {
      return Error::make(ErrorKind::protocol, "RepeatedNextToken",
                         "ListQueues answered with the NextToken it was given");
    }
    request.next_token = std::move(page->next_token);
  }
  return all;
}

#define SQS_CLIENT_START(Name, name, Request, Res)                                  \
  void Client::start(Request request,                                               \
                     detail::UniqueFunction<void(Result<result_of<Request>>)> done, \
                     boost::asio::cancellation_slot slot) const {                   \
    detail::start_operation(impl_, std::move(request), std::move(done), slot);      \
  }
SQS_FOR_EACH_ACTION(SQS_CLIENT_START)
#undef SQS_CLIENT_START

}  // namespace sqs
