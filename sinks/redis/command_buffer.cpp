#include "sinks/redis/command_buffer.h"

#include <charconv>

namespace cdc::sinks::redis {

namespace {
void append_header(std::string& out, char kind, size_t n) {
  char buf[24];
  buf[0] = kind;
  const auto r = std::to_chars(buf + 1, buf + sizeof buf - 2, n);
  char* end = r.ptr;
  *end++ = '\r';
  *end++ = '\n';
  out.append(buf, end);
}
}  // namespace

std::string_view to_string(CommandType t) {
  switch (t) {
    case CommandType::set: return "set";
    case CommandType::del: return "del";
    case CommandType::hset: return "hset";
    case CommandType::hdel: return "hdel";
    case CommandType::pexpire: return "pexpire";
    case CommandType::publish: return "publish";
    case CommandType::xadd: return "xadd";
    case CommandType::other: return "other";
  }
  return "other";
}

void CommandBuffer::set(std::string_view key, std::string_view value) {
  for (std::string_view a : {key, value}) {
    append_header(pending_, '$', a.size());
    pending_.append(a);
    pending_.append("\r\n", 2);
  }
  ++pending_pairs_;
  ++operations_;
  ++counts_[static_cast<size_t>(CommandType::set)];
  if (pending_pairs_ == kMaxMsetPairs) seal();
}

void CommandBuffer::seal() {
  if (pending_pairs_ == 0) return;
  starts_.push_back(bytes_.size());
  append_header(bytes_, '*', 1 + 2 * pending_pairs_);
  if (pending_pairs_ == 1) {
    bytes_.append("$3\r\nSET\r\n");
  } else {
    bytes_.append("$4\r\nMSET\r\n");
  }
  bytes_.append(pending_);
  pending_.clear();
  pending_pairs_ = 0;
}

void CommandBuffer::start(CommandType type, size_t argc) {
  seal();
  starts_.push_back(bytes_.size());
  ++operations_;
  ++counts_[static_cast<size_t>(type)];
  append_header(bytes_, '*', argc);
}

void CommandBuffer::arg(std::string_view a) {
  append_header(bytes_, '$', a.size());
  bytes_.append(a);
  bytes_.append("\r\n", 2);
}

void CommandBuffer::command(CommandType type, std::initializer_list<std::string_view> args) {
  start(type, args.size());
  for (std::string_view a : args) arg(a);
}

std::string_view CommandBuffer::range(size_t first, size_t last) const {
  const size_t from = first < starts_.size() ? starts_[first] : bytes_.size();
  const size_t to = last < starts_.size() ? starts_[last] : bytes_.size();
  return std::string_view(bytes_).substr(from, to - from);
}

std::string CommandBuffer::describe(size_t i) const {
  // Reads back what start()/arg() wrote: *argc\r\n then $len\r\n<bytes>\r\n per argument.
  std::string_view s = range(i, i + 1);
  std::string out;
  for (int taken = 0; taken < 2; ++taken) {
    const size_t dollar = s.find('$');
    if (dollar == std::string_view::npos) break;
    size_t len = 0;
    const auto r = std::from_chars(s.data() + dollar + 1, s.data() + s.size(), len);
    const size_t at = static_cast<size_t>(r.ptr - s.data()) + 2;
    if (at > s.size()) break;
    const std::string_view a = s.substr(at, len);
    if (taken > 0) out += ' ';
    out += a.size() > 200 ? std::string(a.substr(0, 200)) + "..." : std::string(a);
    s.remove_prefix(std::min(s.size(), at + len + 2));
  }
  return out;
}

void CommandBuffer::clear() {
  bytes_.clear();
  starts_.clear();
  pending_.clear();
  pending_pairs_ = 0;
  operations_ = 0;
  counts_ = {};
}

}  // namespace cdc::sinks::redis
