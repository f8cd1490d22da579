// canal-json: Canal's FlatMessage as Canal's Kafka producer writes it (fastjson, fields in
// alphabetical order, nulls written) and as Flink's canal-json format reads it:
//   {"data","database","es","id","isDdl","mysqlType","old","pkNames","sql","sqlType","table",
//    "ts","type"}
// Values are strings (FlatMessage holds Map<String,String>), null stays null. Differences from
// Canal, on purpose:
//   - binary values are base64 (Canal decodes bytes as ISO-8859-1 into a Java string, which
//     does not survive a JSON round trip for consumers outside Java);
//   - sqlType is derived from the column type alone; Canal promotes an unsigned integer to the
//     next wider java.sql.Types code only for rows whose value overflows the signed range
//     (LogEventConvert), we always promote (BIGINT UNSIGNED -> DECIMAL 3) so the code is stable;
//   - enum and set values are their labels with sqlType VARCHAR 12;
//   - TIMESTAMP is printed in UTC (Canal prints it in the server's zone);
//   - snapshot reads are "INSERT" (as Flink CDC's canal-json output does); a truncate is a DDL
//     message (isDdl true, data null, type "TRUNCATE", sql = the captured statement or "").
//     Flink's canal-json reader rejects TRUNCATE unless 'canal-json.ignore-parse-errors'.
// "id" is always 0 (Canal's batch id has no equivalent) and "es" is the commit time in ms.
// A partial row image (MySQL binlog_row_image=MINIMAL/NOBLOB), which Canal does not handle,
// adds "absent" (first, by the alphabetical order) naming the columns `data`/`old` leave out.
#include "cdc/core/json/row_json.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "cdc/core/json/value_json.h"

namespace cdc::json {

namespace {

// java.sql.Types codes.
enum JdbcType : int {
  kBit = -7,
  kTinyInt = -6,
  kBigInt = -5,
  kChar = 1,
  kDecimal = 3,
  kInteger = 4,
  kSmallInt = 5,
  kReal = 7,
  kDouble = 8,
  kVarchar = 12,
  kBoolean = 16,
  kDate = 91,
  kTime = 92,
  kTimestamp = 93,
  kOther = 1111,
  kBlob = 2004,
  kClob = 2005,
};

std::string_view base_type_name(std::string_view source_type, char (&buf)[24]) {
  size_t n = 0;
  for (char c : source_type) {
    if (c == '(' || c == ' ' || n == sizeof(buf)) break;
    buf[n++] = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return {buf, n};
}

int sql_type(const Column& col) {
  char buf[24];
  const std::string_view base = base_type_name(col.source_type, buf);
  const bool is_unsigned = col.is_unsigned || col.source_type.find("unsigned") != std::string::npos;
  if (base == "tinyint") return is_unsigned ? kSmallInt : kTinyInt;
  if (base == "smallint") return is_unsigned ? kInteger : kSmallInt;
  if (base == "mediumint") return kInteger;
  if (base == "int" || base == "integer") return is_unsigned ? kBigInt : kInteger;
  if (base == "bigint") return is_unsigned ? kDecimal : kBigInt;
  if (base == "char") return kChar;
  if (base == "tinytext" || base == "text" || base == "mediumtext" || base == "longtext") {
    return kClob;
  }
  switch (col.kind) {
    case ValueKind::boolean: return kBoolean;
    case ValueKind::int64: return kBigInt;
    case ValueKind::uint64: return kDecimal;
    case ValueKind::float32: return kReal;
    case ValueKind::float64: return kDouble;
    case ValueKind::decimal: return kDecimal;
    case ValueKind::string:
    case ValueKind::json:
    case ValueKind::enum_label:
    case ValueKind::set_labels:
    case ValueKind::year: return kVarchar;
    case ValueKind::bytes:
    case ValueKind::geometry: return kBlob;
    case ValueKind::date: return kDate;
    case ValueKind::time: return kTime;
    case ValueKind::datetime:
    case ValueKind::timestamp: return kTimestamp;
    case ValueKind::bit: return kBit;
    case ValueKind::null: return kOther;
  }
  return kOther;
}

std::string_view type_text(Op op) {
  switch (op) {
    case Op::insert:
    case Op::read: return "INSERT";
    case Op::update: return "UPDATE";
    case Op::erase: return "DELETE";
    case Op::truncate: return "TRUNCATE";
    case Op::schema_change: return "ALTER";
  }
  return "INSERT";
}

// Canal compares the values' text, so NaN equals NaN and -0.0 differs from 0.0: compare
// floating-point payloads bit for bit rather than with ==.
bool same_value(const Value& a, const Value& b) {
  if (a.kind == b.kind && (a.kind == ValueKind::float32 || a.kind == ValueKind::float64)) {
    return std::memcmp(&a.d, &b.d, sizeof(double)) == 0;
  }
  return a == b;
}

class CanalEncoder final : public Encoder {
 public:
  explicit CanalEncoder(EncoderOptions options) : options_(std::move(options)) {}

  bool encode_key(const ChangeEvent& e, std::string& out) const override {
    return append_key(e, out, options_.invalid_utf8);
  }

  bool encode_value(const ChangeEvent& e, std::string& out) const override {
    CDC_CHECK(e.schema != nullptr, "every event carries the schema it was decoded with");
    const TableSchema& schema = *e.schema;
    const bool ddl = e.op == Op::truncate;
    const RowImage none;
    const RowImage& data = e.op == Op::erase ? e.before : e.after;
    JsonWriter w(out, options_.invalid_utf8);
    w.begin_object();
    // Not a Canal field (Canal has no partial images): sorts first, as Canal's keys do.
    if (!ddl) {
      const std::span<const uint32_t> none;
      write_absent_columns(w, schema, e.before.present ? e.before.absent : none,
                           e.after.present ? e.after.absent : none);
    }

    w.key_ascii("data");
    if (!ddl && data.present) {
      w.begin_array();
      write_row(w, schema, data,
                e.op == Op::erase ? std::span<const uint32_t>() : e.unchanged_columns,
                UnchangedStyle{false, placeholder_of(options_)}, none, ValueStyle::text);
      w.end_array();
    } else {
      w.null();
    }
    w.key_ascii("database");
    w.string(schema.id.db);
    w.key_ascii("es");
    w.int64(e.source.commit_ts_ms);
    w.key_ascii("id");
    w.int64(0);
    w.key_ascii("isDdl");
    w.boolean(ddl);

    w.key_ascii("mysqlType");
    if (ddl) {
      w.null();
    } else {
      w.begin_object();
      for (const Column& col : schema.columns) {
        w.key(col.name);
        w.string(col.source_type);
      }
      w.end_object();
    }

    w.key_ascii("old");
    write_old(w, e);

    w.key_ascii("pkNames");
    if (ddl || schema.primary_key.empty()) {
      w.null();
    } else {
      w.begin_array();
      for (uint32_t col_idx : schema.primary_key) {
        if (col_idx < schema.columns.size()) w.string(schema.columns[col_idx].name);
      }
      w.end_array();
    }

    w.key_ascii("sql");
    w.string(ddl ? e.source.query : std::string_view());

    w.key_ascii("sqlType");
    if (ddl) {
      w.null();
    } else {
      w.begin_object();
      for (const Column& col : schema.columns) {
        w.key(col.name);
        w.int64(sql_type(col));
      }
      w.end_object();
    }

    w.key_ascii("table");
    w.string(schema.id.table);
    w.key_ascii("ts");
    w.int64(e.ts_ms);
    w.key_ascii("type");
    w.string_ascii(type_text(e.op));
    w.end_object();
    return true;
  }

  Format format() const override { return Format::canal_json; }

 private:
  // UPDATE: the before values of the columns whose value changed; null when none changed (as
  // Canal, which drops an empty "old"). Unsent (TOAST) columns did not change; a column absent
  // from either image (partial row image) has no known change to show.
  static void write_old(JsonWriter& w, const ChangeEvent& e) {
    if (e.op != Op::update || !e.before.present || !e.after.present) {
      w.null();
      return;
    }
    const TableSchema& schema = *e.schema;
    const uint32_t n =
        std::min({e.before.size, e.after.size, static_cast<uint32_t>(schema.columns.size())});
    bool any = false;
    for (uint32_t col_idx = 0; col_idx < n; ++col_idx) {
      if (same_value(e.before[col_idx], e.after[col_idx]) ||
          is_unchanged(e.unchanged_columns, col_idx) || e.before.is_absent(col_idx) ||
          e.after.is_absent(col_idx)) {
        continue;
      }
      if (!any) {
        w.begin_array();
        w.begin_object();
        any = true;
      }
      w.key(schema.columns[col_idx].name);
      write_value_as_text(w, e.before[col_idx]);
    }
    if (any) {
      w.end_object();
      w.end_array();
    } else {
      w.null();
    }
  }

  EncoderOptions options_;
};

}  // namespace

std::unique_ptr<Encoder> make_canal_encoder(EncoderOptions options) {
  return std::make_unique<CanalEncoder>(std::move(options));
}

}  // namespace cdc::json
