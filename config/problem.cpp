#include "config/problem.h"

namespace cdc::config {

std::string Problem::to_string() const {
  std::string out = file;
  if (line > 0) {
    // Appended piecewise: g++ 12 warns falsely (-Wrestrict, PR 105329) on "lit" + std::string.
    out += ':';
    out += std::to_string(line);
    out += ':';
    out += std::to_string(column);
  }
  out += ": ";
  if (!key_path.empty()) out += key_path + ": ";
  out += message;
  return out;
}

}  // namespace cdc::config
