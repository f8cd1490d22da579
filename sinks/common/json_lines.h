// JsonLines: renders change events as one JSON document per line, as the stdout and file
// sinks write them. debezium-json and canal-json: the value document. upsert: an object
// {"key":...,"value":...} so a line-oriented reader sees both and a tombstone as null.
// Stateless after construction; const methods are thread-safe.
#pragma once

#include <memory>
#include <string>

#include "cdc/core/change_event.h"
#include "cdc/core/json/encoder.h"

namespace cdc::sinks {

class JsonLines {
 public:
  explicit JsonLines(json::Format format, json::EncoderOptions options = {});
  // Appends the line for `event` (with its '\n') to `out`; returns the bytes appended.
  size_t append(const ChangeEvent& event, std::string& out) const;

 private:
  json::Format format_;
  std::unique_ptr<json::Encoder> encoder_;
};

}  // namespace cdc::sinks
