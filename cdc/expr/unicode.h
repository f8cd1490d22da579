// UTF-8 helpers for the string functions: code point decoding/encoding and simple (1:1 plus a
// few 1:2) case mappings. Covered: ASCII, Latin-1 Supplement, Latin Extended-A and the
// common Latin Extended-B pairs, Latin Extended Additional (U+1E00-1EFF), Greek and Coptic
// (with accented letters and final sigma), Cyrillic (U+0400-052F), Armenian, Georgian
// Mkhedruli/Mtavruli is not covered, fullwidth Latin (U+FF21-FF5A). Other scripts pass through
// unchanged. Java's String.toUpperCase (which Flink uses) maps ß to "SS" and İ to "i̇"; so do we.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cdc::expr {

// Decodes the code point at text[pos] and advances pos. Invalid or truncated sequences decode
// as U+FFFD and advance by one byte, so a bad byte never stops or over-reads.
char32_t next_code_point(std::string_view text, size_t& pos);
void append_utf8(std::string& out, char32_t cp);
size_t code_point_count(std::string_view text);
// Byte offset of the code point with index `cp_index` (text.size() when past the end).
size_t byte_offset_of(std::string_view text, size_t cp_index);

void append_upper(std::string& out, char32_t cp);
void append_lower(std::string& out, char32_t cp);

}  // namespace cdc::expr
