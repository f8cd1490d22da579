// The Doris sink's part of a checkpoint record: the Stream Loads precommitted for that
// checkpoint (database, table, label, txn id), which commit() commits after the record is
// durable and open() finishes after a crash. Text, one load per line, so that
// `sluice checkpoints` shows it readably:
//   doris-loads v1\n
//   <txn id>\t<db>\t<table>\t<label>\n ...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cdc/core/result.h"

namespace cdc::sinks::doris {

struct LoadRef {
  std::string db;
  std::string table;
  std::string label;
  int64_t txn_id = 0;
  friend bool operator==(const LoadRef&, const LoadRef&) = default;
};

std::string encode_loads(const std::vector<LoadRef>& loads);
// Errc::malformed naming the line for anything but what encode_loads writes.
Result<std::vector<LoadRef>> decode_loads(std::string_view state);

}  // namespace cdc::sinks::doris
