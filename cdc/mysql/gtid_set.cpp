#include "cdc/mysql/gtid_set.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "cdc/core/text.h"

namespace cdc::mysql {

namespace {
bool parse_u64(std::string_view s, uint64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t p = s.find(sep, start);
    out.push_back(
        s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}
}  // namespace

Result<GtidSet> GtidSet::parse(std::string_view text) {
  GtidSet set;
  text = trim(text);
  if (text.empty()) return set;
  for (auto item : split(text, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    if (item.find(':') != std::string_view::npos) {
      auto parts = split(item, ':');
      const std::string uuid(trim(parts[0]));
      std::string key = uuid;
      for (size_t i = 1; i < parts.size(); ++i) {
        const std::string_view part = trim(parts[i]);
        // MySQL 8.3+ tagged GTIDs: "uuid:tag:1-5" (a tag starts with a letter or '_'); the
        // intervals after a tag are that tag's.
        if (!part.empty() &&
            (std::isalpha(static_cast<unsigned char>(part[0])) || part[0] == '_')) {
          key = uuid + ":" + std::string(part);
          continue;
        }
        auto range = split(part, '-');
        uint64_t a = 0, b = 0;
        if (range.size() > 2 || !parse_u64(range[0], a) ||
            !parse_u64(range.size() == 2 ? range[1] : range[0], b) || b < a) {
          return make_error(Errc::invalid_config,
                            "bad GTID interval in '" + std::string(item) + "'");
        }
        set.mysql_[key].emplace_back(a, b);
      }
      continue;
    }
    auto parts = split(item, '-');
    uint64_t d = 0, s = 0, q = 0;
    if (parts.size() != 3 || !parse_u64(parts[0], d) || !parse_u64(parts[1], s) ||
        !parse_u64(parts[2], q) || d > UINT32_MAX || s > UINT32_MAX) {
      return make_error(Errc::invalid_config, "bad MariaDB GTID '" + std::string(item) + "'");
    }
    set.add(MariadbGtid{static_cast<uint32_t>(d), static_cast<uint32_t>(s), q});
  }
  return set;
}

void GtidSet::add_mysql(const std::string& uuid, uint64_t gno) {
  auto& ivs = mysql_[uuid];
  for (auto& iv : ivs) {
    if (gno >= iv.first && gno <= iv.second) return;
    if (gno == iv.second + 1) {
      iv.second = gno;
      return;
    }
    if (gno + 1 == iv.first) {
      iv.first = gno;
      return;
    }
  }
  ivs.emplace_back(gno, gno);
}

void GtidSet::reset_mariadb(const std::vector<MariadbGtid>& gtids) {
  mariadb_.clear();
  // A GTID_LIST names the last GTID of each server in a domain: the domain is at the highest.
  for (const auto& g : gtids) {
    const auto it = mariadb_.find(g.domain_id);
    if (it == mariadb_.end() || it->second.sequence < g.sequence) add(g);
  }
}

void GtidSet::reset_mysql(std::string_view text) {
  auto parsed = parse(text);
  if (parsed) mysql_ = std::move(parsed->mysql_);
}

std::string GtidSet::to_string() const {
  std::string out;
  for (const auto& [domain, g] : mariadb_) {
    if (!out.empty()) out += ",";
    out += mysql::to_string(g);
  }
  for (const auto& [uuid, ivs] : mysql_) {
    if (!out.empty()) out += ",";
    out += uuid;
    for (const auto& [a, b] : ivs) {
      out += ":" + std::to_string(a);
      if (b != a) out += "-" + std::to_string(b);
    }
  }
  return out;
}

namespace {
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

Result<std::string> GtidSet::encode_mysql() const {
  // Tagged sids need the tagged format (sql/rpl_gtid_set.cc, encode_nsids_format): the count
  // word carries format 1 in its top and low bytes and the count in bits 8..55, and every sid
  // its tag (empty for an untagged one) as a varlen length and the bytes.
  const bool tagged = std::any_of(mysql_.begin(), mysql_.end(), [](const auto& entry) {
    return entry.first.find(':') != std::string::npos;
  });
  std::string out;
  put_u64(out, tagged ? (uint64_t{1} << 56) | (mysql_.size() << 8) | 1 : mysql_.size());
  for (const auto& [key, intervals] : mysql_) {
    const size_t colon = key.find(':');
    const std::string uuid = key.substr(0, colon);
    const std::string tag = colon == std::string::npos ? "" : key.substr(colon + 1);
    std::string sid;
    for (char c : uuid) {
      if (c == '-') continue;
      const int d = hex_digit(c);
      if (d < 0 || sid.size() == 32) {
        return make_error(Errc::invalid_config, "bad MySQL server uuid '" + uuid + "' in GTID set");
      }
      sid.push_back(c);
    }
    if (sid.size() != 32) {
      return make_error(Errc::invalid_config, "bad MySQL server uuid '" + uuid + "' in GTID set");
    }
    for (size_t i = 0; i < 32; i += 2) {
      out.push_back(static_cast<char>(hex_digit(sid[i]) * 16 + hex_digit(sid[i + 1])));
    }
    if (tagged) {
      if (tag.size() > 32) {
        return make_error(Errc::invalid_config, "GTID tag '" + tag + "' is longer than 32");
      }
      out.push_back(static_cast<char>(tag.size() << 1));  // a varlen below 128: one byte
      out += tag;
    }
    auto sorted = intervals;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::pair<uint64_t, uint64_t>> merged;
    for (const auto& iv : sorted) {
      if (!merged.empty() && iv.first <= merged.back().second + 1) {
        merged.back().second = std::max(merged.back().second, iv.second);
      } else {
        merged.push_back(iv);
      }
    }
    put_u64(out, merged.size());
    for (const auto& [first, last] : merged) {
      put_u64(out, first);
      put_u64(out, last + 1);  // the wire form is half-open
    }
  }
  return out;
}

GtidSet GtidSet::mysql_minus(const GtidSet& other) const {
  GtidSet out;
  for (const auto& [uuid, intervals] : mysql_) {
    const auto it = other.mysql_.find(uuid);
    for (auto [first, last] : intervals) {
      // Cut every interval of `other` out of [first, last], in ascending order.
      std::vector<std::pair<uint64_t, uint64_t>> cuts;
      if (it != other.mysql_.end()) cuts = it->second;
      std::sort(cuts.begin(), cuts.end());
      for (const auto& [a, b] : cuts) {
        if (first > last) break;
        if (b < first || a > last) continue;
        if (a > first) out.mysql_[uuid].emplace_back(first, a - 1);
        if (b >= last) {
          first = 1;
          last = 0;  // nothing left
          break;
        }
        first = b + 1;
      }
      if (first <= last) out.mysql_[uuid].emplace_back(first, last);
    }
  }
  return out;
}

std::partial_ordering mariadb_order(const GtidSet& a, const GtidSet& b) {
  const auto& da = a.mariadb_domains();
  const auto& db = b.mariadb_domains();
  if (da.empty() || db.empty() || a.has_mysql() || b.has_mysql() || da.size() != db.size()) {
    return std::partial_ordering::unordered;
  }
  std::partial_ordering order = std::partial_ordering::equivalent;
  for (const auto& [domain, ga] : da) {
    const auto it = db.find(domain);
    if (it == db.end()) return std::partial_ordering::unordered;
    const std::partial_ordering here = ga.sequence <=> it->second.sequence;
    if (here == std::partial_ordering::equivalent) continue;
    if (order != std::partial_ordering::equivalent && order != here) {
      return std::partial_ordering::unordered;
    }
    order = here;
  }
  return order;
}

}  // namespace cdc::mysql
