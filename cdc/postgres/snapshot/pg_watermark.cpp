#include "cdc/postgres/snapshot/pg_watermark.h"

#include <charconv>
#include <cstdio>

namespace cdc::postgres {

std::string encode_watermark(const WatermarkId& id) {
  char head[48];
  std::snprintf(head, sizeof head, "%016llx:%llu:", static_cast<unsigned long long>(id.instance),
                static_cast<unsigned long long>(id.window));
  return head + id.pipeline;
}

Result<WatermarkId> parse_watermark(std::string_view content) {
  const auto bad = [&](std::string_view why) {
    return make_error(Errc::malformed,
                      "watermark message '" + std::string(content) + "': " + std::string(why));
  };
  const size_t c1 = content.find(':');
  const size_t c2 = c1 == std::string_view::npos ? c1 : content.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return bad("expected instance:window:pipeline");
  WatermarkId id;
  const std::string_view inst = content.substr(0, c1), win = content.substr(c1 + 1, c2 - c1 - 1);
  if (inst.size() != 16) return bad("the instance is not 16 hex digits");
  auto r = std::from_chars(inst.data(), inst.data() + inst.size(), id.instance, 16);
  if (r.ec != std::errc() || r.ptr != inst.data() + inst.size()) {
    return bad("the instance is not 16 hex digits");
  }
  r = std::from_chars(win.data(), win.data() + win.size(), id.window);
  if (win.empty() || r.ec != std::errc() || r.ptr != win.data() + win.size()) {
    return bad("the window is not a decimal count");
  }
  id.pipeline = std::string(content.substr(c2 + 1));
  if (id.pipeline.empty()) return bad("no pipeline name");
  return id;
}

}  // namespace cdc::postgres
