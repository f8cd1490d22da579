#include "config/pipeline_id.h"

#include <cstdint>

namespace cdc::config {
namespace {

bool id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// FNV-1a, 64 bit (offset basis and prime from the FNV reference, draft-eastlake-fnv).
uint64_t fnv1a64(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

constexpr size_t kMaxSlug = 40;

}  // namespace

bool is_identifier_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!id_char(c) && c != '.') return false;
  }
  return true;
}

std::string pipeline_id(std::string_view name) {
  if (is_identifier_name(name)) return std::string(name);
  // '.' is left out of derived ids: Doris labels refuse it, and a derived id serves every sink.
  std::string slug;
  bool gap = false;
  for (char c : name) {
    if (slug.size() >= kMaxSlug) break;
    if (!id_char(c)) {
      gap = true;
      continue;
    }
    if (gap && !slug.empty() && slug.size() + 1 < kMaxSlug) slug += '_';
    gap = false;
    slug += c;
  }
  if (slug.empty()) slug = "pipeline";
  static constexpr char kHex[] = "0123456789abcdef";
  const uint64_t h = fnv1a64(name);
  std::string out = slug + '-';
  for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 0xf];
  return out;
}

uint32_t default_server_id(std::string_view pipeline_id) {
  return 5400 + static_cast<uint32_t>(fnv1a64(pipeline_id) % 1000);
}

}  // namespace cdc::config
