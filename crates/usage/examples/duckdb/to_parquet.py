#!/usr/bin/env python3
"""A segment CSV (gen_segments.py's columns, or any with a header) written as Parquet by DuckDB.

    python3 crates/usage/examples/duckdb/to_parquet.py IN.csv OUT.parquet

Every column is read as text (so an id such as `007` keeps its spelling) except `start` and
`end`, written as BIGINT unix seconds: the layout `mediameter usage` reads from Parquet with
either engine. DuckDB's default row groups (122,880 rows) and Snappy compression are kept, so a
million segments make several row groups for a multi-threaded reader. Needs the `duckdb`
module. Prints the row count and the number of row groups written.
"""
import sys

import duckdb


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    src, dst = (p.replace("'", "''") for p in sys.argv[1:3])
    con = duckdb.connect()
    con.execute("SET enable_progress_bar=false")
    con.execute(
        f"""COPY (SELECT * REPLACE (CAST(start AS BIGINT) AS start, CAST("end" AS BIGINT) AS "end")
                  FROM read_csv('{src}', header=true, all_varchar=true))
            TO '{dst}' (FORMAT parquet)"""
    )
    rows, groups = con.execute(
        f"SELECT sum(row_group_num_rows), count(*) FROM parquet_metadata('{dst}') "
        "WHERE column_id = 0"
    ).fetchone()
    print(f"{sys.argv[2]}: {rows} segments in {groups} row groups")


if __name__ == "__main__":
    main()
