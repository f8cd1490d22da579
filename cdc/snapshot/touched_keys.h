// The keys of the table being re-read that the stream changed after a window's snapshot was
// taken and before its high watermark (a PostgreSQL window: transactions the snapshot does not
// see, delivered before the chunk). The chunk's row of such a key is older than what the sink
// already has: it is skipped; when that change left a column unchanged (PostgreSQL's unchanged
// TOAST), skipping could leave a sink without the value, so the chunk ends just before that key
// and the next window, with a newer snapshot, reads it. Keys are snapshot_key.h encodings.
// Pure; reader thread only.
#pragma once

#include <string>
#include <unordered_map>

namespace cdc::snapshot {

enum class RowVerdict : unsigned char {
  emit,  // the row as of the window's snapshot goes out
  skip,  // the stream already delivered a newer state of the key
  cut,   // end the chunk before this row; the next window reads on from it
};

class TouchedKeys {
 public:
  // A change of `key`; `unchanged_columns`: it left a column out (its value unchanged).
  void touch(const std::string& key, bool unchanged_columns) {
    auto [it, added] = keys_.try_emplace(key, unchanged_columns);
    if (!added) it->second = it->second || unchanged_columns;
  }
  RowVerdict verdict(const std::string& key) const {
    const auto it = keys_.find(key);
    if (it == keys_.end()) return RowVerdict::emit;
    return it->second ? RowVerdict::cut : RowVerdict::skip;
  }
  void clear() { keys_.clear(); }
  size_t size() const { return keys_.size(); }

 private:
  std::unordered_map<std::string, bool> keys_;  // key -> a change left a column unchanged
};

}  // namespace cdc::snapshot
