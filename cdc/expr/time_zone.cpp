#include "cdc/expr/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cdc/core/byte_reader.h"

namespace cdc::expr {
namespace {

bool read_digits(std::string_view s, size_t& pos, size_t min, size_t max, uint32_t& out) {
  size_t start = pos;
  uint32_t v = 0;
  while (pos < s.size() && pos - start < max && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + static_cast<uint32_t>(s[pos++] - '0');
  }
  out = v;
  return pos - start >= min;
}

// "+08:00", "-0530", "+8": false when `text` is not an offset.
bool parse_offset(std::string_view text, int32_t& seconds) {
  if (text.size() < 2 || (text[0] != '+' && text[0] != '-')) return false;
  size_t pos = 1;
  uint32_t h = 0, m = 0;
  if (!read_digits(text, pos, 1, 2, h)) return false;
  if (pos < text.size()) {
    if (text[pos] == ':') ++pos;
    if (!read_digits(text, pos, 2, 2, m)) return false;
  }
  if (pos != text.size() || h > 18 || m > 59) return false;
  seconds = static_cast<int32_t>((h * 3600 + m * 60) * (text[0] == '-' ? -1 : 1));
  return true;
}

// IANA names are path-like words; refusing anything else keeps the name inside the zone dir.
bool valid_zone_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '/' ||
      name.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' ||
           c == '_' || c == '-' || c == '+';
  });
}

}  // namespace

Result<TimeZone> TimeZone::parse(std::string_view text) {
  TimeZone zone;
  if (text == "UTC" || text == "Z" || text == "GMT" || text == "utc" || text == "Etc/UTC") {
    return zone;
  }
  std::string_view offset = text;
  if (offset.starts_with("UTC") || offset.starts_with("GMT")) offset.remove_prefix(3);
  if (parse_offset(offset, zone.fixed_)) return zone;
  if (!valid_zone_name(text)) {
    return make_error(Errc::invalid_config,
                      "unsupported time zone '" + std::string(text) +
                          "' (use UTC, an offset such as +08:00, or an IANA name)");
  }
  const char* dir = std::getenv("TZDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo") +
                     "/" + std::string(text);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::invalid_config,
                      "unknown time zone '" + std::string(text) + "' (no " + path + ")");
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  return from_tzif(buf.str(), text);
}

Result<TimeZone> TimeZone::from_tzif(std::string_view bytes, std::string_view name) {
  auto malformed = [&](std::string why) {
    return make_error(Errc::invalid_config,
                      "time zone '" + std::string(name) + "': malformed TZif file: " + why);
  };
  ByteReader r(bytes);
  struct Header {
    uint8_t version = 0;
    uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  };
  auto header = [&](Header& h) {
    if (r.string(4) != "TZif") return false;
    h.version = r.u8();
    r.skip(15);
    h.isutcnt = r.u32be();
    h.isstdcnt = r.u32be();
    h.leapcnt = r.u32be();
    h.timecnt = r.u32be();
    h.typecnt = r.u32be();
    h.charcnt = r.u32be();
    return r.ok() && h.typecnt >= 1 && h.typecnt <= 256 && h.timecnt <= 100000 &&
           h.leapcnt <= 1000 && h.charcnt <= 100000 && (h.isutcnt == 0 || h.isutcnt == h.typecnt) &&
           (h.isstdcnt == 0 || h.isstdcnt == h.typecnt);
  };
  Header h;
  if (!header(h)) return malformed("bad header");
  size_t time_size = 4;
  if (h.version >= '2') {
    // Skip the v1 (32-bit) block; the v2 block after it has 64-bit times.
    r.skip(size_t{h.timecnt} * 5 + size_t{h.typecnt} * 6 + h.charcnt + size_t{h.leapcnt} * 8 +
           h.isstdcnt + h.isutcnt);
    if (!header(h)) return malformed("bad second header");
    time_size = 8;
  }
  auto rules = std::make_shared<Rules>();
  rules->transitions.resize(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    rules->transitions[i] =
        time_size == 8 ? static_cast<int64_t>(r.u64be()) : static_cast<int32_t>(r.u32be());
  }
  std::vector<uint8_t> types(h.timecnt);
  for (uint32_t i = 0; i < h.timecnt; ++i) types[i] = r.u8();
  std::vector<int32_t> type_offsets(h.typecnt);
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    type_offsets[i] = static_cast<int32_t>(r.u32be());
    r.skip(2);  // isdst, desigidx
  }
  if (!r.ok()) return malformed("truncated");
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    if (types[i] >= h.typecnt) return malformed("transition type out of range");
    if (i > 0 && rules->transitions[i] <= rules->transitions[i - 1]) {
      return malformed("transitions out of order");
    }
    if (type_offsets[types[i]] < -26 * 3600 || type_offsets[types[i]] > 26 * 3600) {
      return malformed("offset out of range");
    }
    rules->offsets.push_back(type_offsets[types[i]]);
  }
  // RFC 8536 3.2: local time before the first transition is type 0's.
  rules->initial = type_offsets[0];
  // Times after the last transition keep its offset: Debian ships "fat" files whose
  // transitions run to 2037; the POSIX TZ footer for later years is not interpreted.
  TimeZone zone;
  zone.rules_ = std::move(rules);
  return zone;
}

int32_t TimeZone::offset_at_utc(int64_t utc_seconds) const {
  if (!rules_) return fixed_;
  const auto& t = rules_->transitions;
  auto it = std::upper_bound(t.begin(), t.end(), utc_seconds);
  if (it == t.begin()) return rules_->initial;
  return rules_->offsets[static_cast<size_t>(it - t.begin()) - 1];
}

int32_t TimeZone::offset_for_local(int64_t local_seconds) const {
  if (!rules_) return fixed_;
  // The offsets in force a day before and a day after bracket any one transition.
  const int32_t before = offset_at_utc(local_seconds - 86400);
  const int32_t after = offset_at_utc(local_seconds + 86400);
  if (offset_at_utc(local_seconds - before) == before) return before;
  if (offset_at_utc(local_seconds - after) == after) return after;
  return before;  // in a gap
}

}  // namespace cdc::expr
