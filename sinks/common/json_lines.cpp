#include "sinks/common/json_lines.h"

namespace cdc::sinks {

JsonLines::JsonLines(json::Format format, json::EncoderOptions options)
    : format_(format),
      placeholder_for_unchanged_(options.toast_placeholder.has_value()),
      encoder_(json::make_encoder(format, std::move(options))) {}

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

void JsonLines::guard_partial_rows(json::PartialRowPolicy policy, std::string_view log_module) {
  if (format_ == json::Format::upsert) {
    whole_rows_.emplace(policy, "the upsert format", log_module, placeholder_for_unchanged_);
  }
}

Status JsonLines::write(const ChangeEvent& event, std::string& out) {
  if (whole_rows_) {
    CDC_TRY_ASSIGN(bool whole, whole_rows_->admit(event));
    if (!whole) return {};
  }
  append(event, out);
  return {};
}

}  // namespace cdc::sinks
