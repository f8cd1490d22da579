#!/usr/bin/env python3
"""Writes cdc/mysql/binlog/charset_tables.cpp: every collation id MariaDB and MySQL define, mapped
to its character set, and the code -> Unicode tables of the single-byte charsets and of MySQL's own
big5, sjis and ujis.

  tools/gen_mysql_charsets.py --socket /tmp/x/mariadb/mariadb.sock [--user root] [--out FILE]

Where the data comes from:
- MariaDB's ids, names and charsets: information_schema.COLLATION_CHARACTER_SET_APPLICABILITY
  (MariaDB >= 10.10 lists every id there, the UCA 14.0.0 ones included, which COLLATIONS does
  not) and CHARACTER_SETS (maximum bytes per character, default collation) of the server you run.
- MySQL 8.0/8.4 ids that MariaDB 10.11 lacks: MYSQL_ONLY below, from MySQL's documented
  INFORMATION_SCHEMA.COLLATIONS (utf8mb3_tolower_ci 76; 8.0.4+: gb18030 248..250, the utf8mb4
  UCA 9.0.0 collations 255..323; cross-checked against the MySQL 8 collation lists of dolthub/go-mysql-server
  sql/collations.go and MySqlConnector issue #336, no MySQL 8 server runs here). Every id both
  servers define must name the same character set: checked here.
- Single-byte tables: the server's own CONVERT of each byte to utf8mb4, so the text equals what
  `CONVERT(col USING utf8mb4)` returns. A byte the charset leaves undefined comes back as '?' from
  anything but 0x3F (as U+FFFD in tis620); it is written as 0xFFFF (no character).
- Multi-byte charsets are converted with glibc iconv where glibc has MySQL's mapping (compared
  code by code against the server's CONVERT: cp932 = CP932, eucjpms = EUC-JP-MS, euckr = CP949,
  gb2312 = EUC-CN, gbk = GBK agree on every character both define); ICONV_NAMES gives the name.
- big5, sjis and ujis are MySQL's own variants (glibc BIG5 differs on 267 codes, CP932 on 7 sjis
  codes and 2,788 NEC/IBM codes MySQL's sjis lacks, EUC-JP on the 940 user-defined codes MySQL
  maps to the private use area): their double-byte (and ujis' 3-byte) tables come from the
  server's CONVERT of every code, like the single-byte ones (DOUBLE_BYTE below).

The output is committed; rerun after a server upgrade and review the diff.
"""
import argparse
import subprocess
import sys

# MySQL 8.0/8.4 collations MariaDB 10.11 does not define: (id, name, charset).
MYSQL_ONLY = [
    (76, "utf8mb3_tolower_ci", "utf8mb3"),
    (248, "gb18030_chinese_ci", "gb18030"),
    (249, "gb18030_bin", "gb18030"),
    (250, "gb18030_unicode_520_ci", "gb18030"),
] + [(i, n, "utf8mb4") for i, n in [
    (255, "utf8mb4_0900_ai_ci"), (256, "utf8mb4_de_pb_0900_ai_ci"), (257, "utf8mb4_is_0900_ai_ci"),
    (258, "utf8mb4_lv_0900_ai_ci"), (259, "utf8mb4_ro_0900_ai_ci"), (260, "utf8mb4_sl_0900_ai_ci"),
    (261, "utf8mb4_pl_0900_ai_ci"), (262, "utf8mb4_et_0900_ai_ci"), (263, "utf8mb4_es_0900_ai_ci"),
    (264, "utf8mb4_sv_0900_ai_ci"), (265, "utf8mb4_tr_0900_ai_ci"), (266, "utf8mb4_cs_0900_ai_ci"),
    (267, "utf8mb4_da_0900_ai_ci"), (268, "utf8mb4_lt_0900_ai_ci"), (269, "utf8mb4_sk_0900_ai_ci"),
    (270, "utf8mb4_es_trad_0900_ai_ci"), (271, "utf8mb4_la_0900_ai_ci"),
    (273, "utf8mb4_eo_0900_ai_ci"), (274, "utf8mb4_hu_0900_ai_ci"), (275, "utf8mb4_hr_0900_ai_ci"),
    (277, "utf8mb4_vi_0900_ai_ci"), (278, "utf8mb4_0900_as_cs"), (279, "utf8mb4_de_pb_0900_as_cs"),
    (280, "utf8mb4_is_0900_as_cs"), (281, "utf8mb4_lv_0900_as_cs"), (282, "utf8mb4_ro_0900_as_cs"),
    (283, "utf8mb4_sl_0900_as_cs"), (284, "utf8mb4_pl_0900_as_cs"), (285, "utf8mb4_et_0900_as_cs"),
    (286, "utf8mb4_es_0900_as_cs"), (287, "utf8mb4_sv_0900_as_cs"), (288, "utf8mb4_tr_0900_as_cs"),
    (289, "utf8mb4_cs_0900_as_cs"), (290, "utf8mb4_da_0900_as_cs"), (291, "utf8mb4_lt_0900_as_cs"),
    (292, "utf8mb4_sk_0900_as_cs"), (293, "utf8mb4_es_trad_0900_as_cs"),
    (294, "utf8mb4_la_0900_as_cs"), (296, "utf8mb4_eo_0900_as_cs"), (297, "utf8mb4_hu_0900_as_cs"),
    (298, "utf8mb4_hr_0900_as_cs"), (300, "utf8mb4_vi_0900_as_cs"), (303, "utf8mb4_ja_0900_as_cs"),
    (304, "utf8mb4_ja_0900_as_cs_ks"), (305, "utf8mb4_0900_as_ci"), (306, "utf8mb4_ru_0900_ai_ci"),
    (307, "utf8mb4_ru_0900_as_cs"), (308, "utf8mb4_zh_0900_as_cs"), (309, "utf8mb4_0900_bin"),
    (310, "utf8mb4_nb_0900_ai_ci"), (311, "utf8mb4_nb_0900_as_cs"), (312, "utf8mb4_nn_0900_ai_ci"),
    (313, "utf8mb4_nn_0900_as_cs"), (314, "utf8mb4_sr_latn_0900_ai_ci"),
    (315, "utf8mb4_sr_latn_0900_as_cs"), (316, "utf8mb4_bs_0900_ai_ci"),
    (317, "utf8mb4_bs_0900_as_cs"), (318, "utf8mb4_bg_0900_ai_ci"), (319, "utf8mb4_bg_0900_as_cs"),
    (320, "utf8mb4_gl_0900_ai_ci"), (321, "utf8mb4_gl_0900_as_cs"), (322, "utf8mb4_mn_cyrl_0900_ai_ci"),
    (323, "utf8mb4_mn_cyrl_0900_as_cs")]]

# MySQL 8 charsets MariaDB 10.11 lacks: name -> (maximum bytes per character, default collation).
MYSQL_ONLY_CHARSETS = {"gb18030": (4, 248)}

# glibc iconv names of the multi-byte charsets that are not UTF-8 (MySQL strings/ctype-*.cc).
# euckr: MySQL's euckr decodes the CP949 (Unified Hangul Code) extension, glibc's EUC-KR does not.
# ucs2/utf16/utf32 are big-endian in MySQL; utf16le is the exception.
ICONV_NAMES = {
    "cp932": "CP932",
    "eucjpms": "EUC-JP-MS",
    "euckr": "CP949",
    "gb18030": "GB18030",
    "gb2312": "EUC-CN",
    "gbk": "GBK",
    "ucs2": "UCS-2BE",
    "utf16": "UTF-16BE",
    "utf16le": "UTF-16LE",
    "utf32": "UTF-32BE",
}


# The byte structure of the charsets whose tables come from the server (strings/ctype-big5.cc,
# ctype-sjis.cc, ctype-ujis.cc): lead bytes, the trail byte range, and the prefix of ujis'
# 3-byte form (JIS X 0212: 0x8F, then two bytes in the trail range).
DOUBLE_BYTE = {
    "big5": {"leads": list(range(0xA1, 0xFA)), "trail": (0x40, 0xFE), "prefix3": None},
    "sjis": {"leads": list(range(0x81, 0xA0)) + list(range(0xE0, 0xFD)), "trail": (0x40, 0xFC),
             "prefix3": None},
    "ujis": {"leads": [0x8E] + list(range(0xA1, 0xFF)), "trail": (0xA1, 0xFE), "prefix3": 0x8F},
}


def code_point(hexed, code):
    """The server's UTF-32 answer for one code; 0xFFFF when it has no character."""
    # Empty, NULL, or more than one character (an invalid lead byte, then the next byte alone).
    cp = int(hexed, 16) if hexed not in ("", "NULL") and len(hexed) == 8 else 0xFFFF
    # '?' and U+FFFD are the server's stand-ins for a code with no character.
    if (cp == 0x3F and code != 0x3F) or cp == 0xFFFD:
        cp = 0xFFFF
    if cp > 0xFFFF:
        sys.exit(f"code {code:#x} maps to {cp:#x}, beyond the 16-bit tables")
    return cp


def server_codes(args, name, lo, hi, width):
    rows = query(args, f"SELECT seq, HEX(CONVERT(CONVERT(UNHEX(LPAD(HEX(seq), {width}, '0')) "
                       f"USING {name}) USING utf32)) FROM seq_{lo}_to_{hi}")
    return {int(code): code_point(hexed, int(code)) for code, hexed in rows}


def query(args, sql):
    cmd = ["mariadb", "--batch", "--skip-column-names", "--raw", "-D", "mysql", "-u", args.user,
           "-S", args.socket, "-e", sql]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--socket", required=True)
    p.add_argument("--user", default="root")
    p.add_argument("--out", default="cdc/mysql/binlog/charset_tables.cpp")
    args = p.parse_args()

    version = query(args, "SELECT VERSION()")[0][0]
    charsets = {}
    for name, default, maxlen in query(
            args, "SELECT CHARACTER_SET_NAME, DEFAULT_COLLATE_NAME, MAXLEN "
                  "FROM information_schema.CHARACTER_SETS"):
        charsets[name] = [int(maxlen), default]
    collations = {}
    for cid, full, cs in query(
            args, "SELECT ID, FULL_COLLATION_NAME, CHARACTER_SET_NAME "
                  "FROM information_schema.COLLATION_CHARACTER_SET_APPLICABILITY"):
        collations[int(cid)] = (full, cs)
    for name, (maxlen, default) in charsets.items():
        ids = [i for i, (full, _) in collations.items() if full == default]
        if len(ids) != 1:
            sys.exit(f"default collation {default} of {name}: ids {ids}")
        charsets[name][1] = ids[0]
    for name, (maxlen, default) in MYSQL_ONLY_CHARSETS.items():
        charsets.setdefault(name, [maxlen, default])
    for cid, full, cs in MYSQL_ONLY:
        if cid in collations and collations[cid][1] != cs:
            sys.exit(f"collation id {cid}: MariaDB says {collations[cid]}, MySQL {full} ({cs})")
        collations.setdefault(cid, (full, cs))
    unknown = {cs for _, cs in collations.values()} - set(charsets)
    if unknown:
        sys.exit(f"collations of unknown charsets: {unknown}")

    single = {}
    for name, (maxlen, _) in sorted(charsets.items()):
        if maxlen != 1 or name == "binary":
            continue
        codes = server_codes(args, name, 0, 255, 2)
        single[name] = [codes[b] for b in range(256)]
    double = {}
    for name, shape in DOUBLE_BYTE.items():
        lo, hi = shape["trail"]
        ones = server_codes(args, name, 0, 255, 2)
        kind = [1 if ones[b] != 0xFFFF else 0 for b in range(256)]
        for b in shape["leads"]:
            kind[b] = 2
        rows = []
        for lead in shape["leads"]:
            codes = server_codes(args, name, (lead << 8) | lo, (lead << 8) | hi, 4)
            rows += [codes[(lead << 8) | t] for t in range(lo, hi + 1)]
        rows3 = []
        if shape["prefix3"] is not None:
            p = shape["prefix3"]
            kind[p] = 3
            codes = server_codes(args, name, (p << 16) | (lo << 8) | lo,
                                 (p << 16) | (hi << 8) | hi, 6)
            rows3 = [codes[(p << 16) | (b2 << 8) | b3] for b2 in range(lo, hi + 1)
                     for b3 in range(lo, hi + 1)]
        lead_index = [0] * 256
        for i, lead in enumerate(shape["leads"]):
            lead_index[lead] = i
        double[name] = {"kind": kind,
                        "single": [ones[b] if kind[b] == 1 else 0xFFFF for b in range(256)],
                        "lead_index": lead_index, "lo": lo, "hi": hi, "rows": rows,
                        "rows3": rows3}
    missing = [n for n, (m, _) in charsets.items() if m > 1 and n not in ICONV_NAMES and
               n not in DOUBLE_BYTE and n not in ("utf8mb3", "utf8mb4")]
    if missing:
        sys.exit(f"multi-byte charsets without an iconv name: {missing}")

    names = sorted(charsets)
    index = {n: i for i, n in enumerate(names)}
    out = []
    w = out.append
    w("// Generated by tools/gen_mysql_charsets.py from MariaDB " + version + " and")
    w("// MySQL 8.0/8.4's documented collations. Do not edit; rerun the script. See charset.h for the")
    w("// meaning of each table.")
    w("// clang-format off")
    w('#include "cdc/mysql/binlog/charset_tables.h"')
    w("")
    w("namespace cdc::mysql::generated {")
    w("")
    w("namespace {")
    for name in names:
        if name in single:
            w(f"constexpr uint16_t k_{name}[256] = {{")
            t = single[name]
            for row in range(0, 256, 8):
                w("    " + ", ".join(f"0x{c:04X}" for c in t[row:row + 8]) + ",")
            w("};")

    def array(ctype, cname, values, per_line):
        w(f"constexpr {ctype} {cname}[{len(values)}] = {{")
        for row in range(0, len(values), per_line):
            w("    " + ", ".join(str(v) for v in values[row:row + per_line]) + ",")
        w("};")
    for name in names:
        if name in double:
            d = double[name]
            array("uint8_t", f"k_{name}_kind", d["kind"], 32)
            array("uint16_t", f"k_{name}_single", d["single"], 16)
            array("uint8_t", f"k_{name}_lead_index", d["lead_index"], 32)
            array("uint16_t", f"k_{name}_rows", d["rows"], 16)
            if d["rows3"]:
                array("uint16_t", f"k_{name}_rows3", d["rows3"], 16)
            rows3 = f"k_{name}_rows3" if d["rows3"] else "nullptr"
            w(f"constexpr MultiByteTable k_{name}_mb{{k_{name}_kind, k_{name}_single, "
              f"k_{name}_lead_index, {d['lo']}, {d['hi']}, k_{name}_rows, {rows3}}};")
    w("")
    w(f"constexpr CharsetRow kCharsetArray[{len(names)}] = {{")
    for name in names:
        maxlen, default = charsets[name]
        table = f"k_{name}" if name in single else "nullptr"
        iconv = ICONV_NAMES.get(name, "")
        mb = f"&k_{name}_mb" if name in double else "nullptr"
        w(f'    {{"{name}", {maxlen}, {default}, {table}, {mb}, "{iconv}"}},')
    w("};")
    w("")
    ids = sorted(collations)
    w(f"constexpr CollationRow kCollationArray[{len(ids)}] = {{")
    for cid in ids:
        full, cs = collations[cid]
        w(f'    {{{cid}, "{full}", {index[cs]}}},')
    w("};")
    w("}  // namespace")
    w("")
    w("const std::span<const CharsetRow> kCharsetRows{kCharsetArray};")
    w("const std::span<const CollationRow> kCollationRows{kCollationArray};")
    w("")
    w("}  // namespace cdc::mysql::generated")
    with open(args.out, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"{args.out}: {len(names)} charsets ({len(single)} single-byte tables, "
          f"{len(double)} multi-byte), "
          f"{len(ids)} collation ids")


if __name__ == "__main__":
    main()
