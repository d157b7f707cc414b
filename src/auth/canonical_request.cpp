#include "auth/canonical_request.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

namespace sqs::auth {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

constexpr bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]);
      const int lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

void append_encoded_component(std::string& out, std::string_view raw) {
  if (raw.find('%') == std::string_view::npos) {
    append_uri_encoded(out, raw, true);
  } else {
    append_uri_encoded(out, percent_decode(raw), true);
  }
}

// Trimmed, with every run of whitespace (including obs-fold line breaks) collapsed to one
// space. Appends whole words: values such as a 1 KB session token go in one copy.
void append_canonical_value(std::string& out, std::string_view v) {
  std::size_t i = 0;
  bool first = true;
  while (true) {
    while (i < v.size() && is_space(v[i])) ++i;
    if (i == v.size()) return;
    std::size_t end = i;
    while (end < v.size() && !is_space(v[end])) ++end;
    if (!first) out.push_back(' ');
    out.append(v.data() + i, end - i);
    first = false;
    i = end;
  }
}

// Stable insertion sort: header lists are short and duplicate names must keep their order.
template <class It, class Less>
void insertion_sort(It first, It last, Less less) {
  for (It i = first; i != last; ++i) {
    auto value = std::move(*i);
    It j = i;
    while (j != first && less(value, *(j - 1))) {
      *j = std::move(*(j - 1));
      --j;
    }
    *j = std::move(value);
  }
}

}  // namespace

void append_uri_encoded(std::string& out, std::string_view s, bool encode_slash) {
  out.reserve(out.size() + s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      const char esc[3] = {'%', kUpperHex[c >> 4], kUpperHex[c & 0xf]};
      out.append(esc, 3);
    }
  }
}

std::string uri_encode(std::string_view s, bool encode_slash) {
  std::string out;
  append_uri_encoded(out, s, encode_slash);
  return out;
}

void append_canonical_uri(std::string& out, std::string_view path, bool normalize) {
  if (path.empty()) {
    out.push_back('/');
    return;
  }
  if (!normalize || path == "/") {
    append_uri_encoded(out, path, false);
    return;
  }
  std::vector<std::string_view> segments;
  bool trailing_slash = false;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view seg = path.substr(pos, end - pos);
    const bool last = end == path.size();
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    // A path ending in '/', '/.' or '/..' names a directory (RFC 3986 5.2.4 keeps the slash).
    if (last) trailing_slash = seg.empty() || seg == "." || seg == "..";
    pos = end + 1;
  }
  out.push_back('/');
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i != 0) out.push_back('/');
    append_uri_encoded(out, segments[i], true);
  }
  if (trailing_slash && !segments.empty()) out.push_back('/');
}

void append_canonical_query(std::string& out, std::string_view query) {
  if (query.empty()) return;
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view piece = query.substr(pos, end - pos);
    pos = end + 1;
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    auto& [name, value] = params.emplace_back();
    append_encoded_component(name, piece.substr(0, eq));
    if (eq != std::string_view::npos) append_encoded_component(value, piece.substr(eq + 1));
  }
  std::sort(params.begin(), params.end());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i != 0) out.push_back('&');
    out += params[i].first;
    out.push_back('=');
    out += params[i].second;
  }
}

void append_canonical_headers(std::string& out, std::string& signed_headers,
                              std::span<const HeaderView> headers,
                              std::span<const HeaderView> extra) {
  // SQS requests carry a handful of short headers: names are lower-cased once into a stack
  // buffer, then sorted and compared as plain bytes.
  constexpr std::size_t kInlineHeaders = 24;
  constexpr std::size_t kInlineNameBytes = 512;
  std::array<HeaderView, kInlineHeaders> inline_list;
  std::array<char, kInlineNameBytes> inline_names;
  std::vector<HeaderView> heap_list;
  std::string heap_names;

  std::size_t name_bytes = 0;
  for (const HeaderView& h : headers) name_bytes += h.name.size();
  HeaderView* list = inline_list.data();
  if (headers.size() + extra.size() > kInlineHeaders) {
    heap_list.resize(headers.size() + extra.size());
    list = heap_list.data();
  }
  char* names = inline_names.data();
  if (name_bytes > kInlineNameBytes) {
    heap_names.resize(name_bytes);
    names = heap_names.data();
  }

  std::size_t n = 0;
  for (const HeaderView& h : headers) {
    for (std::size_t i = 0; i < h.name.size(); ++i) names[i] = ascii_lower(h.name[i]);
    const std::string_view name(names, h.name.size());
    names += h.name.size();
    bool replaced = name == "authorization";
    for (const HeaderView& x : extra) replaced = replaced || name == x.name;
    if (!replaced) list[n++] = {name, h.value};
  }
  for (const HeaderView& x : extra) list[n++] = x;

  insertion_sort(list, list + n,
                 [](const HeaderView& a, const HeaderView& b) { return a.name < b.name; });

  for (std::size_t i = 0; i < n;) {
    out += list[i].name;
    out.push_back(':');
    if (i != 0) signed_headers.push_back(';');
    signed_headers += list[i].name;
    append_canonical_value(out, list[i].value);
    std::size_t j = i + 1;
    for (; j < n && list[j].name == list[i].name; ++j) {
      out.push_back(',');
      append_canonical_value(out, list[j].value);
    }
    out.push_back('\n');
    i = j;
  }
}

}  // namespace sqs::auth
