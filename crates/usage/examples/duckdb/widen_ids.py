#!/usr/bin/env python3
"""A segment CSV with every user id (and publisher) widened to the shape of a UUID.

    python3 crates/usage/examples/duckdb/widen_ids.py IN.csv OUT.csv

`u116310` becomes `3f2a9c1e-7b4d-4e0a-9c55-00000u116310` (36 bytes): the same distinct users,
spelled as many real sources spell them, so that the side-by-side queries measure ids longer
than the 23 bytes the kernel's dictionaries keep inline. Every other column is copied as it
is. Needs nothing beyond Python.
"""
import sys

PREFIX = "3f2a9c1e-7b4d-4e0a-9c55-"


def widen(value):
    return PREFIX + value.rjust(12, "0") if value else value


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as src, open(
        sys.argv[2], "w", encoding="utf-8"
    ) as dst:
        header = src.readline()
        dst.write(header)
        names = header.rstrip("\n").split(",")
        wide = [i for i, n in enumerate(names) if n in ("user", "publisher")]
        rows = 0
        for line in src:
            fields = line.rstrip("\n").split(",")
            for i in wide:
                if i < len(fields):
                    fields[i] = widen(fields[i])
            dst.write(",".join(fields) + "\n")
            rows += 1
    print(f"{rows} rows written to {sys.argv[2]}")


if __name__ == "__main__":
    main()
