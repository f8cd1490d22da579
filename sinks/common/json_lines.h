// JsonLines: renders change events as one JSON document per line, as the stdout and file
// sinks write them. debezium-json and canal-json: the value document. upsert: an object
// {"key":...,"value":...} so a line-oriented reader sees both and a tombstone as null.
// Stateless after construction but for the partial-row guard (write); const methods are
// thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cdc/core/change_event.h"
#include "cdc/core/json/encoder.h"
#include "sinks/common/partial_rows.h"

namespace cdc::sinks {

class JsonLines {
 public:
  explicit JsonLines(json::Format format, json::EncoderOptions options = {});
  // Appends the line for `event` (with its '\n') to `out`; returns the bytes appended.
  size_t append(const ChangeEvent& event, std::string& out) const;

  // For a sink: the upsert format writes whole rows, so before append() an insert or update
  // whose after image leaves columns out (absent, or unchanged TOAST without toast.placeholder)
  // is refused or skipped per `policy` (PartialRows); the other formats leave such columns out
  // of their objects.
  void guard_partial_rows(json::PartialRowPolicy policy, std::string_view log_module);
  Status write(const ChangeEvent& event, std::string& out);

 private:
  json::Format format_;
  bool placeholder_for_unchanged_ = false;  // toast.placeholder is set
  std::unique_ptr<json::Encoder> encoder_;
  std::optional<PartialRows> whole_rows_;  // upsert with guard_partial_rows only
};

}  // namespace cdc::sinks
