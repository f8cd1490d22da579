#include "sinks/redis/key_template.h"

#include "sinks/redis/value_text.h"

namespace cdc::sinks::redis {

Result<KeyTemplate> KeyTemplate::bind(const std::vector<KeyPart>& parts, const TableSchema& schema,
                                      std::string_view separator) {
  KeyTemplate t;
  const auto add_column = [&](uint32_t idx) {
    t.pieces_.push_back(Piece{{}, idx, schema.columns[idx].name});
    t.uses_columns_ = true;
  };
  for (const KeyPart& part : parts) {
    if (!part.placeholder) {
      t.pieces_.push_back(Piece{part.text, -1, {}});
    } else if (part.text == "db") {
      t.pieces_.push_back(Piece{schema.id.db, -1, {}});
    } else if (part.text == "table") {
      t.pieces_.push_back(Piece{schema.id.table, -1, {}});
    } else if (part.text == "pk") {
      if (schema.primary_key.empty()) {
        return make_error(Errc::invalid_config,
                          "key placeholder {pk}: table " + schema.id.to_string() +
                              " has no primary key; name its columns instead");
      }
      for (size_t i = 0; i < schema.primary_key.size(); ++i) {
        if (i > 0) t.pieces_.push_back(Piece{std::string(separator), -1, {}});
        add_column(schema.primary_key[i]);
      }
    } else if (auto idx = schema.column_index(part.text)) {
      add_column(*idx);
    } else {
      return make_error(Errc::invalid_config, "key placeholder {" + part.text + "}: table " +
                                                  schema.id.to_string() + " has no column '" +
                                                  part.text + "'");
    }
  }
  // Merge adjacent literals: fewer appends per row.
  std::vector<Piece> merged;
  for (Piece& p : t.pieces_) {
    if (p.column < 0 && !merged.empty() && merged.back().column < 0) {
      merged.back().literal += p.literal;
    } else {
      merged.push_back(std::move(p));
    }
  }
  t.pieces_ = std::move(merged);
  return t;
}

bool KeyTemplate::render(const RowImage& row, std::string& out,
                         std::string_view* null_column) const {
  const size_t mark = out.size();
  for (const Piece& p : pieces_) {
    if (p.column < 0) {
      out += p.literal;
      continue;
    }
    const auto idx = static_cast<size_t>(p.column);
    if (!row.present || idx >= row.size || row[idx].is_null()) {
      out.resize(mark);
      if (null_column != nullptr) *null_column = p.name;
      return false;
    }
    append_value_text(row[idx], out);
  }
  return true;
}

}  // namespace cdc::sinks::redis
