#!/usr/bin/env python3
"""Prints ROWS rows of the benchmarks' kv table (id INT PRIMARY KEY, name VARCHAR(32), qty INT,
price DECIMAL(10,2)) as 1000-row INSERT statements into TABLE. Usage: kv_rows.py TABLE ROWS"""
import sys

table, rows = sys.argv[1], int(sys.argv[2])
for start in range(1, rows + 1, 1000):
    vals = ",".join(f"({i},'name-{i:08d}',{i % 97},{i % 100000}.{i % 100:02d})"
                    for i in range(start, min(start + 1000, rows + 1)))
    print(f"INSERT INTO {table} VALUES {vals};")
