#include "cdc/daemon/binlog_command.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>

#include "cdc/core/json/json_writer.h"
#include "cdc/mysql/binlog/event_header.h"
#include "cdc/mysql/binlog/event_type.h"
#include "cdc/mysql/binlog_file_reader.h"
#include "cdc/mysql/mysql_source.h"
#include "cdc/mysql/schema/ddl_schema.h"
#include "sinks/common/json_lines.h"

namespace cdc::daemon {

const char* const kBinlogUsage = R"(usage: sluice binlog FILE... [options]

Decodes MySQL/MariaDB binlog files from disk (no server needed) into sluice's change events,
one JSON line each, exactly as a pipeline would emit them. Several files are read in order
(as a ROTATE continues into the next); every position names the file it is in.

options:
  --format F            debezium-json (default), upsert or canal-json
  --events              also print one line per binlog event, before the change events it
                        holds: {"event":{"type","type_code","file","pos","size","timestamp",
                        "time","server_id","next_pos","flags"}}
  --schema-from FILE    CREATE TABLE statements (e.g. mysqldump --no-data) naming the columns
                        of binlogs written without binlog_row_metadata=FULL; without it such
                        columns are named col_1, col_2, ... and integers read as signed;
                        also marks MariaDB JSON columns (SHOW CREATE TABLE's CHECK json_valid),
                        which are strings without it
  --tables REGEX        only tables whose db.table fully matches (repeatable; default:
                        every table, the system schemas included)
  --start-position N    in the first file, start at the event at offset N (its
                        FORMAT_DESCRIPTION is still read)
  --stop-position N     in the last file, stop before the first event at or after offset N
  --output FILE         write to FILE instead of standard output
  --help

ts_ms is the event's commit time (not the time of decoding), so the output is reproducible.
CRC32 checksums are verified when the file's FORMAT_DESCRIPTION says so.

exit codes: 0 every event decoded; 1 a file could not be read or decoded (the message names
the file, offset and event type; everything before it has been written); 2 bad usage or an
unusable --schema-from file
)";

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

int usage_error(const std::string& message) {
  std::cerr << "sluice binlog: " << message << "\n\n" << kBinlogUsage;
  return kExitUsage;
}

std::optional<uint64_t> parse_offset(const std::string& s) {
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// One --events line: the common header as the file holds it, plus where the event is.
void append_event_line(const mysql::BinlogFileEvent& ev, std::string& out) {
  json::JsonWriter w(out);
  w.begin_object();
  w.key_ascii("event");
  w.begin_object();
  auto header = mysql::decode_event_header(ev.bytes);
  // The reader hands out whole events only, so the header always decodes; the event's own
  // decoding reports anything wrong with it right after this line.
  const uint8_t type = header ? header->type : static_cast<uint8_t>(ev.bytes[4]);
  w.key_ascii("type");
  w.string_ascii(mysql::event_type_name(type));
  w.key_ascii("type_code");
  w.uint64(type);
  w.key_ascii("file");
  w.string(ev.file);
  w.key_ascii("pos");
  w.uint64(value(ev.offset));
  w.key_ascii("size");
  w.uint64(ev.bytes.size());
  if (header) {
    w.key_ascii("timestamp");
    w.uint64(header->timestamp);
    const std::time_t t = header->timestamp;
    std::tm tm{};
    char buf[32];
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    w.key_ascii("time");
    w.string_ascii(buf);
    w.key_ascii("server_id");
    w.uint64(header->server_id);
    w.key_ascii("next_pos");
    w.uint64(header->log_pos);
    w.key_ascii("flags");
    w.uint64(header->flags);
  }
  w.end_object();
  w.end_object();
  out.push_back('\n');
}

struct Args {
  std::vector<std::string> files;
  json::Format format = json::Format::debezium_json;
  bool events = false;
  std::string schema_from;
  std::vector<std::string> tables;
  BinlogOffset start = mysql::kFirstEventOffset;
  std::optional<BinlogOffset> stop;
  std::string output;
};

// Returns an exit code when the command is done (help, usage error), nullopt to go on.
std::optional<int> parse_args(const std::vector<std::string>& args, Args& a) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string opt = args[i];
    std::optional<std::string> inline_value;
    if (const auto eq = opt.find('='); opt.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = opt.substr(eq + 1);
      opt.resize(eq);
    }
    auto value = [&]() -> std::optional<std::string> {
      if (inline_value) return inline_value;
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (opt == "--help" || opt == "-h") {
      std::cout << kBinlogUsage;
      return kExitOk;
    }
    if (opt == "--events" && !inline_value) {
      a.events = true;
      continue;
    }
    if (opt == "--format" || opt == "--schema-from" || opt == "--tables" || opt == "--output" ||
        opt == "--start-position" || opt == "--stop-position") {
      const auto v = value();
      if (!v) return usage_error(opt + " needs a value");
      if (opt == "--format") {
        const auto f = json::parse_format(*v);
        if (!f)
          return usage_error("unknown format '" + *v + "' (debezium-json, upsert or canal-json)");
        a.format = *f;
      } else if (opt == "--schema-from") {
        a.schema_from = *v;
      } else if (opt == "--tables") {
        a.tables.push_back(*v);
      } else if (opt == "--output") {
        a.output = *v;
      } else {
        const auto n = parse_offset(*v);
        if (!n) return usage_error(opt + " takes a byte offset, found '" + *v + "'");
        if (opt == "--start-position") {
          if (*n < mysql::kBinlogMagicSize)
            return usage_error("--start-position must be at least 4 (the first event)");
          a.start = BinlogOffset{*n};
        } else {
          a.stop = BinlogOffset{*n};
        }
      }
      continue;
    }
    if (opt.rfind("--", 0) == 0) return usage_error("unknown option '" + args[i] + "'");
    a.files.push_back(args[i]);
  }
  if (a.files.empty()) return usage_error("no binlog FILE given");
  if (a.stop && a.files.size() == 1 && *a.stop < a.start) {
    return usage_error("--stop-position " + to_string(*a.stop) + " is before --start-position " +
                       to_string(a.start));
  }
  return std::nullopt;
}

// Exit code for an error found before anything was decoded.
int setup_error(const Error& e) {
  std::cerr << "sluice binlog: " << e.message << "\n";
  return e.code == Errc::invalid_config ? kExitUsage : kExitFailed;
}

}  // namespace

int run_binlog_command(const std::vector<std::string>& args) {
  Args a;
  if (auto done = parse_args(args, a)) return *done;

  std::shared_ptr<const mysql::DdlSchema> ddl;
  if (!a.schema_from.empty()) {
    auto loaded = mysql::DdlSchema::load(a.schema_from);
    if (!loaded) {
      std::cerr << "sluice binlog: " << loaded.error().message << "\n";
      return kExitUsage;
    }
    ddl = std::make_shared<const mysql::DdlSchema>(std::move(*loaded));
  }
  auto reader = mysql::BinlogFileReader::open({a.files, a.start, a.stop});
  if (!reader) return setup_error(reader.error());

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(nullptr, std::fclose);
  std::FILE* out = stdout;
  if (!a.output.empty()) {
    owned.reset(std::fopen(a.output.c_str(), "w"));
    if (!owned) {
      std::cerr << "sluice binlog: cannot write " << a.output << ": " << std::strerror(errno)
                << "\n";
      return kExitFailed;
    }
    out = owned.get();
  }

  std::string buffer;
  if (a.events) {
    (*reader)->set_observer(
        [&buffer](const mysql::BinlogFileEvent& ev) { append_event_line(ev, buffer); });
  }
  mysql::MysqlSourceOptions options;
  options.pipeline_name = "binlog";
  // Every table by default: a pipeline leaves the system schemas out, but a file being
  // inspected should hide nothing that was not asked for.
  options.table_include = a.tables.empty() ? std::vector<std::string>{".*"} : a.tables;
  // One change event per batch: a batch is only returned whole, so a larger one would drop the
  // events decoded before a bad event in the same batch. It also keeps each --events line
  // right before the change events of its event.
  options.max_batch_events = 1;
  // A file being inspected shows the statement that changed each row (the pipeline default,
  // include.query false, is for the records a sink keeps).
  options.include_query = true;
  mysql::MysqlSource source(
      std::move(options), std::move(*reader),
      [ddl](mysql::TableMapEvent& map) { return mysql::complete_table_map(map, ddl.get()); });
  if (auto st = source.open(Position{}); !st)
    return setup_error(st.error());  // a bad --tables regex
  sinks::JsonLines lines(a.format);

  auto flush = [&]() -> bool {
    const bool ok = std::fwrite(buffer.data(), 1, buffer.size(), out) == buffer.size();
    buffer.clear();
    return ok;
  };
  Status failed;
  bool write_ok = true;
  while (true) {
    auto batch = source.poll(std::chrono::milliseconds(0));
    if (!batch) {
      failed = std::move(batch).error();
      break;
    }
    if (!*batch) break;  // the files are read
    for (auto& e : (*batch)->events) {
      e.ts_ms = e.source.commit_ts_ms;
      lines.append(e, buffer);
    }
    if (buffer.size() >= (1 << 16) && !(write_ok = flush())) break;
  }
  const bool written = write_ok && flush() && std::fflush(out) == 0 && !std::ferror(out);
  if (!failed) {
    std::cerr << "sluice binlog: " << failed.error().message << "\n";
    return kExitFailed;
  }
  if (!written) {
    std::cerr << "sluice binlog: cannot write " << (a.output.empty() ? "standard output" : a.output)
              << ": " << std::strerror(errno) << "\n";
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace cdc::daemon
