#include "sinks/doris/load_record.h"

#include <charconv>

namespace cdc::sinks::doris {
namespace {
constexpr std::string_view kHeader = "doris-loads v1\n";
}

std::string encode_loads(const std::vector<LoadRef>& loads) {
  std::string out(kHeader);
  for (const LoadRef& l : loads) {
    out += std::to_string(l.txn_id) + "\t" + l.db + "\t" + l.table + "\t" + l.label + "\n";
  }
  return out;
}

Result<std::vector<LoadRef>> decode_loads(std::string_view state) {
  if (!state.starts_with(kHeader)) {
    return make_error(Errc::malformed,
                      "the checkpoint's Doris state does not start with 'doris-loads v1'");
  }
  state.remove_prefix(kHeader.size());
  std::vector<LoadRef> out;
  size_t line_no = 1;
  while (!state.empty()) {
    ++line_no;
    const size_t nl = state.find('\n');
    if (nl == std::string_view::npos) {
      return make_error(Errc::malformed,
                        "the checkpoint's Doris state ends inside line " + std::to_string(line_no));
    }
    std::string_view line = state.substr(0, nl);
    state.remove_prefix(nl + 1);
    std::string_view fields[4];
    for (int f = 0; f < 4; ++f) {
      const size_t tab = line.find('\t');
      if ((f < 3) == (tab == std::string_view::npos)) {
        return make_error(Errc::malformed,
                          "line " + std::to_string(line_no) +
                              " of the checkpoint's Doris state does not have 4 fields");
      }
      fields[f] = line.substr(0, tab);
      line = f < 3 ? line.substr(tab + 1) : std::string_view();
    }
    LoadRef l;
    if (auto [p, ec] =
            std::from_chars(fields[0].data(), fields[0].data() + fields[0].size(), l.txn_id);
        ec != std::errc() || p != fields[0].data() + fields[0].size() || fields[0][0] < '0' ||
        fields[0][0] > '9' ||                             // a transaction id has no sign
        (fields[0].size() > 1 && fields[0][0] == '0') ||  // as encode_loads writes it: canonical
        fields[1].empty() || fields[2].empty() || fields[3].empty()) {
      return make_error(Errc::malformed, "line " + std::to_string(line_no) +
                                             " of the checkpoint's Doris state is malformed");
    }
    l.db = fields[1];
    l.table = fields[2];
    l.label = fields[3];
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace cdc::sinks::doris
