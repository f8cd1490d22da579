#!/usr/bin/env python3
"""Instructions per change of `sluice run` (PostgreSQL source, null sink) from the callgrind
profiles (one per thread) that tools/bench/pg_catchup.sh --callgrind left in DIR.

usage: pg_catchup_callgrind.py BINARY CHANGES DIR

Prints per row change: the whole process (start-up, shutdown, status and checkpoint threads
included: a fixed cost of a few tens of millions of instructions), the reader thread (the one
that calls PgStream::handle), and inclusive of PgStream::handle (pgoutput decode, typed values,
change events), pg_text_value and pg_text_value_fast (text form → typed value) and PgConnection::try_read_copy
(libpq's CopyData: socket reads and the copy of each message).
"""
import sys

from mysql_catchup_callgrind import reader_costs


def main():
    binary, changes, run_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    total, reader, _, handle, (text, copy) = reader_costs(
        run_dir, "PgStream::handle(", ["pg_text_value", "PgConnection::try_read_copy("])
    if reader == 0:
        sys.exit(f"no PgStream::handle calls in {run_dir}")
    print(f"{binary}: {changes} row changes, {total:,} instructions")
    print(f"  per change: whole process {total / changes:,.0f}, reader thread {reader / changes:,.0f}, "
          f"PgStream::handle {handle / changes:,.0f}, pg_text_value(_fast) {text / changes:,.0f}, "
          f"try_read_copy {copy / changes:,.0f}")


if __name__ == "__main__":
    main()
