#include "sinks/common/json_lines.h"

namespace cdc::sinks {

JsonLines::JsonLines(json::Format format, json::EncoderOptions options)
    : format_(format), encoder_(json::make_encoder(format, std::move(options))) {}

size_t JsonLines::append(const ChangeEvent& event, std::string& out) const {
  const size_t before = out.size();
  if (format_ == json::Format::upsert) {
    out.append("{\"key\":");
    if (!encoder_->encode_key(event, out)) out.append("null");
    out.append(",\"value\":");
    if (!encoder_->encode_value(event, out)) out.append("null");
    out.push_back('}');
  } else if (!encoder_->encode_value(event, out)) {
    return 0;  // nothing to print for this event in this format
  }
  out.push_back('\n');
  return out.size() - before;
}

}  // namespace cdc::sinks
