#include "cdc/postgres/snapshot/pg_visibility.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace cdc::postgres {

namespace {

Result<uint64_t> parse_xid8(std::string_view text, std::string_view snapshot) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return make_error(Errc::malformed, "pg_current_snapshot() '" + std::string(snapshot) + "': '" +
                                           std::string(text) + "' is not an xid8");
  }
  return v;
}

}  // namespace

Result<PgSnapshot> PgSnapshot::parse(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return make_error(Errc::malformed,
                      "pg_current_snapshot() '" + std::string(text) + "': " + std::string(why));
  };
  const size_t c1 = text.find(':');
  const size_t c2 = c1 == std::string_view::npos ? c1 : text.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return bad("expected xmin:xmax:xip");
  PgSnapshot s;
  CDC_TRY_ASSIGN(s.xmin, parse_xid8(text.substr(0, c1), text));
  CDC_TRY_ASSIGN(s.xmax, parse_xid8(text.substr(c1 + 1, c2 - c1 - 1), text));
  if (s.xmin > s.xmax) return bad("xmin is above xmax");
  std::string_view list = text.substr(c2 + 1);
  while (!list.empty()) {
    const size_t comma = list.find(',');
    CDC_TRY_ASSIGN(const uint64_t x, parse_xid8(list.substr(0, comma), text));
    if (x < s.xmin || x >= s.xmax) return bad("an in-progress xid outside [xmin, xmax)");
    if (!s.xip.empty() && x <= s.xip.back()) return bad("in-progress xids not ascending");
    s.xip.push_back(x);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
    if (list.empty()) return bad("a trailing comma");
  }
  return s;
}

uint64_t PgSnapshot::widen(uint32_t xid) const {
  // The signed 32-bit distance from xmax's low half, as TransactionIdPrecedes counts it.
  const auto delta = static_cast<int32_t>(xid - static_cast<uint32_t>(xmax));
  const auto wide = static_cast<int64_t>(xmax) + delta;
  return wide < 0 ? 0 : static_cast<uint64_t>(wide);
}

bool PgSnapshot::visible(uint32_t xid) const {
  const uint64_t x = widen(xid);
  if (x >= xmax) return false;
  if (x < xmin) return true;
  return !std::binary_search(xip.begin(), xip.end(), x);
}

void RecentXids::push(uint32_t xid) {
  if (size_ != 0 && xid == last_) return;
  last_ = xid;
  ring_[next_] = xid;
  next_ = (next_ + 1) % kCapacity;
  size_ = std::min(size_ + 1, kCapacity);
}

uint32_t RecentXids::first_invisible(const PgSnapshot& snapshot) const {
  for (size_t i = 0; i < size_; ++i) {
    const uint32_t xid = ring_[(next_ + kCapacity - size_ + i) % kCapacity];
    if (!snapshot.visible(xid)) return xid;
  }
  return 0;
}

}  // namespace cdc::postgres
