"""Writes bench/scale's comparison into BENCHMARKS.md, between its scale markers.

Usage: scale_report.py LOW_OUT HIGH_OUT BENCHMARKS.md --high N --commit C, where each OUT is a
bench/run output folder (its results.tsv, its report.md for the data loaded).
"""

import argparse
import csv
import datetime
import os
import re

START, END = "<!-- scale -->", "<!-- /scale -->"
# The target: a page at the high scale within 1.5× of its p99 at scale 1.
P99_GROWTH = 1.5


def results(folder):
    with open(os.path.join(folder, "results.tsv")) as f:
        return {row["query"]: row for row in csv.DictReader(f, delimiter="\t")}


def data_line(folder):
    with open(os.path.join(folder, "report.md")) as f:
        for line in f:
            if line.startswith("Data:"):
                return re.sub(r"\. Each run.*", ".", line.strip())
    return "Data: unknown."


def rate(row):
    return int(row["requests"]) / (int(row["duration_us"]) / 1e6)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("low")
    parser.add_argument("high_out")
    parser.add_argument("benchmarks")
    parser.add_argument("--high", required=True)
    parser.add_argument("--commit", required=True)
    args = parser.parse_args()
    low, high = results(args.low), results(args.high_out)

    lines = [
        START,
        "",
        f"Run of {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at commit "
        f"`{args.commit}` (`bash bench/scale`), c=16, {os.cpu_count()} cores.",
        f"Scale 1 — {data_line(args.low)}",
        f"Scale {args.high} — {data_line(args.high_out)}",
        "",
        f"| list | filter | caller | req/s at 1 | p99 ms at 1 | req/s at {args.high} "
        f"| p99 ms at {args.high} | p99 growth | SQL per request |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    missed = []
    for name in sorted(low):
        if name not in high:
            continue
        a, b = low[name], high[name]
        root, _, key = name.partition("_")
        caller = "anonymous"
        query_file = os.path.join("bench/filters", f"{name}.graphql")
        if os.path.exists(query_file):
            match = re.search(r"^# caller: *(\w+)", open(query_file).read(), re.M)
            caller = match.group(1) if match else caller
        p99_a, p99_b = int(a["p99_us"]) / 1000, int(b["p99_us"]) / 1000
        growth = p99_b / p99_a if p99_a else float("inf")
        errors = sum(int(r[k]) for r in (a, b) for k in ("non2xx", "socket_errors", "graphql_errors"))
        mark = "" if growth <= P99_GROWTH else " ✗"
        if growth > P99_GROWTH:
            missed.append(f"{name} ({growth:.2f}×)")
        if errors:
            mark += f" ({errors} errors)"
            missed.append(f"{name} answered with errors")
        statements = int(b["statements"]) / max(int(b["http_requests"]), 1)
        lines.append(
            f"| {root} | {key} | {caller} | {rate(a):,.0f} | {p99_a:.1f} | {rate(b):,.0f} "
            f"| {p99_b:.1f} | {growth:.2f}×{mark} | {statements:.2f} |")
    lines += ["", (f"Within {P99_GROWTH}× of scale 1: all {len(low)} lists."
                   if not missed else "Missed: " + "; ".join(missed) + "."), "", END]

    text = open(args.benchmarks).read()
    block = "\n".join(lines)
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n## Cost that does not grow with the data\n\n" + block + "\n"
    with open(args.benchmarks, "w") as out:
        out.write(text)
    print(block)


if __name__ == "__main__":
    main()
