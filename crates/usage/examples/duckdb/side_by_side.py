#!/usr/bin/env python3
"""The three queries, end to end: the mediameter CLI against DuckDB, side by side.

    python3 crates/usage/examples/duckdb/side_by_side.py INPUT [ROUNDS=3] [THREADS=2] [MEDIAMETER]

INPUT is a segment CSV (gen_segments.py) or a Parquet file of the same columns (to_parquet.py).
MEDIAMETER is the path of the binary (default target/release/mediameter; build it with
`cargo build --release -p mediameter-cli`, and `--features datafusion` for a Parquet INPUT).
Needs the `duckdb` module.

For each of the three queries of usage_duckdb.py (its SQL is read from that file), each round
runs, in an order that changes from round to round, (a) the `mediameter usage` command that
computes the same figures with only the metrics the query needs, and (b) DuckDB in a fresh
`python3 -c` process running the same SQL straight over `read_csv(INPUT, header=true)` or
`read_parquet(INPUT)` (no table created first: the one-query path a user takes) with `SET
threads=THREADS`, fetching every row. With a Parquet INPUT, (a) runs twice: on the default
in-memory kernel (`kernel`) and with `--engine datafusion` (`datafusion`); their outputs must
be identical. Each child's wall time and peak RSS (its own ru_maxrss, from os.wait4) are
measured. Each round's results must agree: the CLI's CSV output, summed as the SQL's checksum
sums its last column, against DuckDB's rows; a mismatch is printed and the script exits with
status 1. Prints the median of each and the ratios DuckDB / mediameter.
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


def duckdb_queries(path):
    """q1, q2, q3 of usage_duckdb.py, reading the file instead of its table `seg`."""
    tree = ast.parse((HERE / "usage_duckdb.py").read_text())
    sql = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in ("q1", "q2", "q3"):
                    sql[target.id] = node.value.value
    if sorted(sql) != ["q1", "q2", "q3"]:
        sys.exit(f"side_by_side: q1, q2 and q3 not found in {HERE / 'usage_duckdb.py'}")
    quoted = str(path).replace("'", "''")
    if is_parquet(path):
        source = f"read_parquet('{quoted}')"
    else:
        source = f"read_csv('{quoted}', header=true)"
    out = {}
    for name, text in sql.items():
        replaced, n = re.subn(r"\bFROM seg\b", "FROM " + source, text)
        if n == 0:
            sys.exit(f"side_by_side: {name} of usage_duckdb.py does not read the table seg")
        out[name] = replaced
    return out


def is_parquet(path):
    return Path(path).suffix == ".parquet"


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
    path = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    binary = sys.argv[4] if len(sys.argv) > 4 else "target/release/mediameter"
    if not path.is_file():
        sys.exit(f"side_by_side: no file {path}")
    if not os.access(binary, os.X_OK):
        sys.exit(f"side_by_side: no binary {binary} (cargo build --release -p mediameter-cli)")
    import duckdb  # only its version here; the queries run in child processes

    # The mediameter contenders: name and the flags that choose the engine.
    if is_parquet(path):
        engines = [("kernel", []), ("datafusion", ["--engine", "datafusion"])]
    else:
        engines = [("mediameter", [])]
    who_all = [name for name, _ in engines] + ["duck"]
    sql = duckdb_queries(path)
    times = {name: {who: [] for who in who_all} for name, *_ in QUERIES}
    for r in range(rounds):
        for name, _, flags, add in QUERIES:
            argvs = {
                engine: [binary, "usage", str(path), *flags, *engine_flags, "--format", "csv",
                         "--threads", str(threads)]
                for engine, engine_flags in engines
            }
            argvs["duck"] = [sys.executable, "-c", DUCKDB_CHILD, str(threads), sql[name]]
            # Change who goes first, so none always finds a warm page cache.
            order = who_all[r % len(who_all):] + who_all[:r % len(who_all)]
            if r % 2:
                order.reverse()
            results = {}
            for who in order:
                wall, rss, out = run(argvs[who])
                times[name][who].append((wall, rss))
                results[who] = out
            duck = json.loads(results["duck"])
            first = engines[0][0]
            for engine, _ in engines:
                if results[engine] != results[first]:
                    print(f"\n!!! MISMATCH on {name}, round {r + 1}: {engine} and {first} print "
                          f"different reports", file=sys.stderr)
                    sys.exit(1)
            mm_rows, mm_sum = cli_checksum(results[first], add)
            if mm_sum != duck["checksum"]:
                print(f"\n!!! MISMATCH on {name}, round {r + 1}: mediameter sums to {mm_sum} "
                      f"over {mm_rows} rows, DuckDB to {duck['checksum']} over {duck['rows']} "
                      f"rows\n!!! command: {' '.join(argvs[first])}", file=sys.stderr)
                sys.exit(1)
            print(f"round {r + 1} {name}: checksum {mm_sum} agrees "
                  f"({'/'.join(e for e, _ in engines)} {mm_rows} rows, DuckDB {duck['rows']} "
                  f"rows)", file=sys.stderr)

    reader = "read_parquet" if is_parquet(path) else "read_csv"
    print(f"{path.name}, {rounds} rounds, {threads} threads each; DuckDB "
          f"{duckdb.__version__} {reader}; median wall time (s) and peak RSS (MiB) of each child")
    header = f"{'query':<44}" + "".join(f" {w + ' s':>13} {w + ' MiB':>15}" for w in who_all)
    header += "".join(f" {'duck/' + e + ' s':>17}" for e, _ in engines)
    print(header)
    print("-" * len(header))
    for name, what, _, _ in QUERIES:
        med = {w: (statistics.median(s for s, _ in times[name][w]),
                   statistics.median(m for _, m in times[name][w])) for w in who_all}
        line = f"{name + ' ' + what:<44}"
        line += "".join(f" {med[w][0]:>13.3f} {med[w][1]:>15.0f}" for w in who_all)
        line += "".join(f" {med['duck'][0] / med[e][0]:>17.2f}" for e, _ in engines)
        print(line)


if __name__ == "__main__":
    main()
