#!/usr/bin/env python3
"""One query, CSV in, end to end: the mediameter CLI against DuckDB's read_csv, side by side.

    python3 crates/usage/examples/duckdb/side_by_side.py CSV [ROUNDS=3] [THREADS=2] [MEDIAMETER]

MEDIAMETER is the path of the binary (default target/release/mediameter; build it with
`cargo build --release -p mediameter-cli`). Needs the `duckdb` module.

For each of the three queries of usage_duckdb.py (its SQL is read from that file), each round
runs, in alternating order, (a) the `mediameter usage` command that computes the same figures
with only the metrics the query needs, and (b) DuckDB in a fresh `python3 -c` process running
the same SQL straight over `read_csv(CSV, header=true)` (no table created first: the one-query
path a user takes) with `SET threads=THREADS`, fetching every row. Each child's wall time and
peak RSS (its own ru_maxrss, from os.wait4) are measured. Each pair's results must agree: the
CLI's CSV output, summed as the SQL's checksum sums its last column, against DuckDB's rows; a
mismatch is printed and the script exits with status 1. Prints the median of each and the
ratios DuckDB / mediameter.
"""
import ast
import csv
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# Runs in the DuckDB child: argv = threads, sql. Prints the row count and the checksum of
# usage_duckdb.py (the sum of each row's last column).
DUCKDB_CHILD = """
import json, sys, duckdb
con = duckdb.connect()
con.execute(f"SET threads={int(sys.argv[1])}")
# The progress bar of a long query would print to stdout.
con.execute("SET enable_progress_bar=false")
rows = con.execute(sys.argv[2]).fetchall()
print(json.dumps({"rows": len(rows), "checksum": int(sum(r[-1] or 0 for r in rows))}))
"""


def duckdb_queries(csv_path):
    """q1, q2, q3 of usage_duckdb.py, reading the CSV instead of its table `seg`."""
    tree = ast.parse((HERE / "usage_duckdb.py").read_text())
    sql = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("q1", "q2", "q3"):
                    sql[target.id] = node.value.value
    if sorted(sql) != ["q1", "q2", "q3"]:
        sys.exit(f"side_by_side: q1, q2 and q3 not found in {HERE / 'usage_duckdb.py'}")
    source = "read_csv('{}', header=true)".format(str(csv_path).replace("'", "''"))
    out = {}
    for name, text in sql.items():
        replaced, n = re.subn(r"\bFROM seg\b", "FROM " + source, text)
        if n == 0:
            sys.exit(f"side_by_side: {name} of usage_duckdb.py does not read the table seg")
        out[name] = replaced
    return out


def subscribe_seconds(row):
    return sum(int(v) for k, v in row.items() if k.startswith("subscribe_seconds_"))


def column(name):
    return lambda row: int(row[name]) if row[name] else 0


# name, what it computes, the CLI flags after the CSV, how a CLI row adds to the checksum.
QUERIES = [
    (
        "q1",
        "subscribe seconds per hour, region, spec",
        ["--role", "sub", "--split-by", "region,spec", "--metrics", "durations"],
        subscribe_seconds,
    ),
    (
        "q2",
        "distinct users per GMT+8 day and region",
        ["--interval", "86400", "--split-by", "region", "--metrics", "users",
         "--id-scope", "global"],
        column("active_users"),
    ),
    (
        "q3",
        "peak concurrent subscribe streams per hour",
        ["--role", "sub", "--metrics", "stream_peaks"],
        column("peak_streams"),
    ),
]


def run(argv):
    """Runs argv; returns (wall seconds, peak RSS in MiB, stdout). Exits on failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode != 0:
            sys.stderr.write(err.read().decode(errors="replace"))
            sys.exit(f"side_by_side: {argv[:3]}... exited with {child.returncode}")
        # ru_maxrss is in KiB on Linux.
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def cli_checksum(text, add):
    rows = list(csv.DictReader(io.StringIO(text)))
    return len(rows), sum(add(r) for r in rows)


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    csv_path = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    binary = sys.argv[4] if len(sys.argv) > 4 else "target/release/mediameter"
    if not csv_path.is_file():
        sys.exit(f"side_by_side: no file {csv_path}")
    if not os.access(binary, os.X_OK):
        sys.exit(f"side_by_side: no binary {binary} (cargo build --release -p mediameter-cli)")
    import duckdb  # only its version here; the queries run in child processes

    sql = duckdb_queries(csv_path)
    times = {name: {"mm": [], "duck": []} for name, *_ in QUERIES}
    for r in range(rounds):
        for name, _, flags, add in QUERIES:
            cli = [binary, "usage", str(csv_path), *flags, "--format", "csv",
                   "--threads", str(threads)]
            duck = [sys.executable, "-c", DUCKDB_CHILD, str(threads), sql[name]]
            # Alternate who goes first, so neither always finds a warm page cache.
            order = [("mm", cli), ("duck", duck)]
            if r % 2:
                order.reverse()
            results = {}
            for who, argv in order:
                wall, rss, out = run(argv)
                times[name][who].append((wall, rss))
                results[who] = out
            mm_rows, mm_sum = cli_checksum(results["mm"], add)
            duck = json.loads(results["duck"])
            if mm_sum != duck["checksum"]:
                print(f"\n!!! MISMATCH on {name}, round {r + 1}: mediameter sums to {mm_sum} "
                      f"over {mm_rows} rows, DuckDB to {duck['checksum']} over {duck['rows']} "
                      f"rows\n!!! command: {' '.join(cli)}", file=sys.stderr)
                sys.exit(1)
            print(f"round {r + 1} {name}: checksum {mm_sum} agrees "
                  f"(mediameter {mm_rows} rows, DuckDB {duck['rows']} rows)", file=sys.stderr)

    print(f"{csv_path.name}, {rounds} rounds, {threads} threads each; DuckDB "
          f"{duckdb.__version__} read_csv; median wall time and peak RSS of each child")
    header = (f"{'query':<44} {'mm s':>7} {'mm MiB':>7} {'duck s':>7} {'duck MiB':>8} "
              f"{'duck/mm s':>9} {'duck/mm MiB':>11}")
    print(header)
    print("-" * len(header))
    for name, what, _, _ in QUERIES:
        mm_s = statistics.median(w for w, _ in times[name]["mm"])
        mm_m = statistics.median(m for _, m in times[name]["mm"])
        dk_s = statistics.median(w for w, _ in times[name]["duck"])
        dk_m = statistics.median(m for _, m in times[name]["duck"])
        print(f"{name + ' ' + what:<44} {mm_s:>7.3f} {mm_m:>7.0f} {dk_s:>7.3f} {dk_m:>8.0f} "
              f"{dk_s / mm_s:>9.2f} {dk_m / mm_m:>11.2f}")


if __name__ == "__main__":
    main()
