#include "bench_options.hpp"

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "bench_body.hpp"

namespace sqsctl::bench {
namespace {

sqs::Error bad(std::string message) {
  return sqs::Error::validation("BenchOption", std::move(message));
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

template <class Int>
std::optional<Int> parse_int(std::string_view text) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// A positive integer, for the breaker's counts.
sqs::Result<std::int64_t> positive(std::string_view what, std::string_view text) {
  auto n = parse_int<std::int64_t>(text);
  if (!n || *n < 1) {
    return bad(std::string(what) + " must be a positive integer, got '" + std::string(text) + "'");
  }
  return *n;
}

std::string format_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d % seconds(1) == nanoseconds(0))
    return std::to_string(duration_cast<seconds>(d).count()) + "s";
  if (d % milliseconds(1) == nanoseconds(0)) {
    return std::to_string(duration_cast<milliseconds>(d).count()) + "ms";
  }
  return std::to_string(d.count()) + "ns";
}

// The region of an AWS-form queue URL: https://sqs.REGION.amazonaws.com[.cn]/ACCOUNT/NAME.
std::optional<std::string> region_of_aws_url(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  std::string_view host = url.substr(scheme + 3);
  host = host.substr(0, host.find_first_of("/:"));
  constexpr std::string_view kPrefix = "sqs.";
  if (host.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  host.remove_prefix(kPrefix.size());
  auto dot = host.find('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  std::string_view rest = host.substr(dot);
  if (rest != ".amazonaws.com" && rest != ".amazonaws.com.cn") return std::nullopt;
  return std::string(host.substr(0, dot));
}

bool is_url(std::string_view text) {
  return text.substr(0, 7) == "http://" || text.substr(0, 8) == "https://";
}

}  // namespace

std::string describe_breaker(const sqs::CircuitBreakerOptions& options, const std::string& trip) {
  std::string text = "interval=" + format_duration(options.interval) + ",trip=" + trip;
  if (options.open_timeout.count() > 0) {
    text += ",open-timeout=" + format_duration(options.open_timeout);
  } else {
    const auto& b = options.open_back_off;
    char multiplier[16];
    std::snprintf(multiplier, sizeof multiplier, "%g", b.multiplier);
    text += ",open-timeout=back-off(" + format_duration(b.initial) + " x" + multiplier + " up to " +
            format_duration(b.max) + ")";
  }
  int successes = options.half_open_successes > 0 ? options.half_open_successes : 4;
  text += ",half-open-successes=" + std::to_string(successes);
  text +=
      ",half-open-max-calls=" +
      std::to_string(options.half_open_max_probes > 0 ? options.half_open_max_probes : successes);
  return text;
}

sqs::Result<std::chrono::nanoseconds> parse_duration(std::string_view text) {
  auto invalid = [&] {
    return bad("invalid duration '" + std::string(text) +
               "' (use a number with a unit: 500ms, 5s, 1m, 1m30s)");
  };
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return invalid();
  double total_ns = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t n = 0;
    while (n < rest.size() &&
           (std::isdigit(static_cast<unsigned char>(rest[n])) || rest[n] == '.')) {
      ++n;
    }
    auto number = parse_double(rest.substr(0, n));
    if (!number) return invalid();
    rest.remove_prefix(n);
    std::size_t u = 0;
    while (u < rest.size() && !std::isdigit(static_cast<unsigned char>(rest[u])) &&
           rest[u] != '.') {
      ++u;
    }
    std::string_view unit = rest.substr(0, u);
    rest.remove_prefix(u);
    double scale = 0;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "\u00b5s")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return invalid();
    total_ns += *number * scale;
  }
  if (total_ns > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2))
    return invalid();
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total_ns)));
}

sqs::Result<QueueSpec> parse_queue_spec(std::string_view text) {
  auto parts = split(text, ',');
  QueueSpec spec;
  spec.queue = std::string(parts.front());
  if (spec.queue.empty()) {
    return bad("--queue '" + std::string(text) + "': the queue (a URL or a name) comes first");
  }
  std::set<std::string_view> seen;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    auto eq = parts[i].find('=');
    std::string_view key = parts[i].substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : parts[i].substr(eq + 1);
    auto fail = [&](const std::string& why) {
      return bad("--queue '" + std::string(text) + "': " + why);
    };
    if (eq == std::string_view::npos || value.empty()) {
      return fail("expected KEY=VALUE after the queue, got '" + std::string(parts[i]) + "'");
    }
    if (!seen.insert(key).second) return fail(std::string(key) + " is given twice");
    if (key == "endpoint") {
      if (!is_url(value)) return fail("endpoint must be an http:// or https:// URL");
      spec.endpoint = std::string(value);
    } else if (key == "region") {
      spec.region = std::string(value);
    } else if (key == "weight") {
      auto w = parse_int<int>(value);
      if (!w || *w < 1 || *w > kMaxWeight) {
        return fail("weight must be an integer from 1 to " + std::to_string(kMaxWeight));
      }
      spec.weight = *w;
    } else {
      return fail("unknown key '" + std::string(key) + "' (endpoint, region or weight)");
    }
  }
  if (!spec.region && is_url(spec.queue)) spec.region = region_of_aws_url(spec.queue);
  return spec;
}

sqs::Result<sqs::CircuitBreakerOptions> parse_breaker_spec(std::string_view text,
                                                           sqs::CircuitBreakerOptions options,
                                                           std::string& trip) {
  for (std::string_view item : split(text, ',')) {
    auto eq = item.find('=');
    if (eq == std::string_view::npos || eq + 1 == item.size()) {
      return bad("--breaker: expected KEY=VALUE, got '" + std::string(item) + "'");
    }
    std::string_view key = item.substr(0, eq);
    std::string_view value = item.substr(eq + 1);
    auto where = "--breaker " + std::string(key);
    if (key == "interval" || key == "open-timeout") {
      auto d = parse_duration(value);
      if (!d) return bad(where + ": " + d.error().message);
      if (key == "interval") {
        options.interval = *d;
      } else {
        if (d->count() <= 0) return bad(where + " must be more than zero");
        options.open_timeout = *d;
      }
    } else if (key == "trip") {
      auto fields = split(value, ':');
      if (fields[0] == "threshold" && fields.size() == 2) {
        auto n = positive(where + " threshold", fields[1]);
        if (!n) return n.error();
        options.should_trip = sqs::trip_on_failures(*n);
        trip = value;
      } else if (fields[0] == "consecutive" && fields.size() == 2) {
        auto n = positive(where + " consecutive", fields[1]);
        if (!n) return n.error();
        options.should_trip = sqs::trip_on_consecutive_failures(*n);
        trip = value;
      } else if (fields[0] == "rate" && fields.size() == 3) {
        auto min = positive(where + " rate MIN", fields[1]);
        if (!min) return min.error();
        auto ratio = parse_double(fields[2]);
        if (!ratio || *ratio <= 0 || *ratio > 1) {
          return bad(where + " rate RATIO must be a number in (0, 1], got '" +
                     std::string(fields[2]) + "'");
        }
        options.should_trip = sqs::trip_on_failure_rate(*min, *ratio);
        trip = value;
      } else {
        return bad(where + ": expected threshold:N, consecutive:N or rate:MIN:RATIO, got '" +
                   std::string(value) + "'");
      }
    } else if (key == "half-open-successes" || key == "half-open-max-calls") {
      auto n = positive(where, value);
      if (!n) return n.error();
      if (*n > 1'000'000) return bad(where + " is too large");
      (key == "half-open-successes" ? options.half_open_successes : options.half_open_max_probes) =
          static_cast<int>(*n);
    } else {
      return bad("--breaker: unknown key '" + std::string(key) +
                 "' (interval, open-timeout, trip, half-open-successes, half-open-max-calls)");
    }
  }
  return options;
}

sqs::Result<sqs::HedgeOptions> parse_hedge(std::string_view text) {
  sqs::HedgeOptions hedge;
  if (!text.empty() && (text.front() == 'p' || text.front() == 'P')) {
    auto percent = parse_double(text.substr(1));
    if (!percent || !(*percent > 0 && *percent <= 100)) {
      return bad("--hedge '" + std::string(text) +
                 "': a percentile is p followed by a number above 0 and at most 100, e.g. p95");
    }
    hedge.percentile = *percent / 100;
    return hedge;
  }
  auto delay = parse_duration(text);
  if (!delay) {
    return bad("--hedge '" + std::string(text) +
               "': expected a delay (e.g. 100ms) or a percentile of the first queue's latency "
               "(e.g. p95)");
  }
  if (delay->count() <= 0 || *delay > std::chrono::minutes(10)) {
    return bad("--hedge '" + std::string(text) +
               "': the delay must be more than 0 and at most 10m");
  }
  hedge.delay = std::chrono::ceil<std::chrono::milliseconds>(*delay);
  return hedge;
}

std::string describe_load(const sqs::BulkheadOptions& bulkhead,
                          const std::optional<std::chrono::milliseconds>& slow_call_threshold,
                          const std::optional<sqs::HedgeOptions>& hedge) {
  std::string text = std::string("bulkhead=") + (bulkhead.adaptive ? "adaptive" : "fixed");
  text += ",max-in-flight=" +
          (bulkhead.max_in_flight > 0 ? std::to_string(bulkhead.max_in_flight) : "none");
  text += ",slow-call-threshold=";
  if (!slow_call_threshold) {
    text += "auto";
  } else if (slow_call_threshold->count() == 0) {
    text += "off";
  } else {
    text += format_duration(*slow_call_threshold);
  }
  text += ",hedge=";
  if (!hedge) {
    text += "off";
  } else if (hedge->percentile) {
    char percent[32];
    std::snprintf(percent, sizeof percent, "p%g", *hedge->percentile * 100);
    text += percent;
  } else {
    text += format_duration(hedge->delay);
  }
  return text;
}

sqs::Result<ControlAddress> parse_control_address(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return bad("--control '" + std::string(text) + "': " + why);
  };
  std::string_view host;
  std::string_view port = text;
  if (!text.empty() && text.front() == '[') {  // [::1]:PORT
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("expected [IPV6]:PORT");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto number = parse_int<unsigned>(port);
  if (!number || *number > 65535) return fail("expected HOST:PORT with a port from 0 to 65535");
  ControlAddress address;
  address.port = static_cast<std::uint16_t>(*number);
  if (host.empty() || host == "localhost") {
    address.host = "127.0.0.1";
    return address;
  }
  boost::system::error_code ec;
  auto ip = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return fail("HOST must be an IP address or localhost");
  if (!ip.is_loopback()) {
    return fail("the control endpoint listens on loopback only (127.0.0.1, ::1 or localhost)");
  }
  address.host = ip.to_string();
  return address;
}

sqs::Result<BenchConfig> validate(const BenchArguments& arguments) {
  BenchConfig config;
  if (arguments.queues.empty()) return bad("at least one --queue is needed");
  for (const auto& text : arguments.queues) {
    auto spec = parse_queue_spec(text);
    if (!spec) return spec.error();
    config.queues.push_back(std::move(*spec));
  }
  auto range = [](std::string_view option, std::int64_t value, std::size_t min,
                  std::size_t max) -> std::optional<sqs::Error> {
    if (value >= static_cast<std::int64_t>(min) && value <= static_cast<std::int64_t>(max)) {
      return std::nullopt;
    }
    return bad(std::string(option) + " must be from " + std::to_string(min) + " to " +
               std::to_string(max) + ", got " + std::to_string(value));
  };
  if (auto e = range("--count", arguments.count, 1, kMaxCount)) return *e;
  if (auto e = range("--concurrency", arguments.concurrency, 1, kMaxConcurrency)) return *e;
  if (auto e = range("--receivers", arguments.receivers, 1, kMaxReceivers)) return *e;
  if (auto e = range("--message-bytes", arguments.message_bytes, kBodyHeaderBytes, 1048576)) {
    return *e;
  }
  if (!(arguments.rate >= 0) || arguments.rate > 1e6) {
    return bad("--rate must be from 0 (no limit) to 1000000 messages per second");
  }
  if (arguments.wait_seconds < 0 || arguments.wait_seconds > 20) {
    return bad("--wait-seconds must be from 0 to 20");
  }
  if (arguments.visibility_timeout < 1 || arguments.visibility_timeout > 43200) {
    return bad("--visibility-timeout must be from 1 to 43200");
  }
  if (!(arguments.drain_timeout_seconds > 0) || arguments.drain_timeout_seconds > 86400) {
    return bad("--drain-timeout must be more than 0 and at most 86400 seconds");
  }
  if (arguments.dispatch != "rr" && arguments.dispatch != "random") {
    return bad("--dispatch must be rr or random, got '" + arguments.dispatch + "'");
  }
  std::string trip = "threshold:10";
  for (const auto& text : arguments.breaker) {
    auto breaker = parse_breaker_spec(text, std::move(config.breaker), trip);
    if (!breaker) return breaker.error();
    config.breaker = std::move(*breaker);
  }
  config.breaker_description = describe_breaker(config.breaker, trip);
  if (arguments.max_in_flight < 0 || arguments.max_in_flight > kMaxInFlight) {
    return bad("--max-in-flight must be from 0 (no ceiling) to " + std::to_string(kMaxInFlight) +
               ", got " + std::to_string(arguments.max_in_flight));
  }
  if (arguments.max_in_flight > 0 && arguments.max_in_flight <= arguments.receivers) {
    return bad("--max-in-flight " + std::to_string(arguments.max_in_flight) +
               " must be more than --receivers (" + std::to_string(arguments.receivers) +
               "): every receiver's long poll counts toward it, and sends need room too");
  }
  config.bulkhead.max_in_flight = static_cast<int>(arguments.max_in_flight);
  config.bulkhead.adaptive = !arguments.no_adaptive_bulkhead;
  if (arguments.slow_call_threshold) {
    auto d = parse_duration(*arguments.slow_call_threshold);
    if (!d) return bad("--slow-call-threshold: " + d.error().message);
    if (*d > std::chrono::hours(24)) return bad("--slow-call-threshold must be at most 24h");
    config.slow_call_threshold = std::chrono::ceil<std::chrono::milliseconds>(*d);
  }
  if (arguments.hedge) {
    auto hedge = parse_hedge(*arguments.hedge);
    if (!hedge) return hedge.error();
    config.hedge = *hedge;
  }
  config.load_description =
      describe_load(config.bulkhead, config.slow_call_threshold, config.hedge);
  if (arguments.control) {
    auto control = parse_control_address(*arguments.control);
    if (!control) return control.error();
    config.control = *control;
  }
  config.count = static_cast<std::size_t>(arguments.count);
  config.concurrency = static_cast<std::size_t>(arguments.concurrency);
  config.receivers = static_cast<std::size_t>(arguments.receivers);
  config.message_bytes = static_cast<std::size_t>(arguments.message_bytes);
  config.rate = arguments.rate;
  config.round_robin = arguments.dispatch == "rr";
  config.drain_timeout = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::ceil(arguments.drain_timeout_seconds * 1000)));
  config.no_send = arguments.no_send;
  config.producer = arguments.producer;
  if (arguments.linger_ms < 0 || arguments.linger_ms > 60000) {
    return bad("--linger must be 0..60000 milliseconds");
  }
  config.linger = std::chrono::milliseconds(static_cast<long long>(arguments.linger_ms));
  config.wait_seconds = arguments.wait_seconds;
  config.visibility_timeout = arguments.visibility_timeout;
  return config;
}

}  // namespace sqsctl::bench
