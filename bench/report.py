"""Writes bench/run's results into BENCHMARKS.md, between its result markers.

Usage: report.py RESULTS.tsv BENCHMARKS.md --peak-rss-kb N ... (see bench/run). The text around
the markers is kept; the block between them is replaced.
"""

import argparse
import csv
import datetime
import os
import platform

START, END = "<!-- results -->", "<!-- /results -->"

# The targets on these 2-core machines.
CEILING_SHARE = 0.5
P99_MS_AT_16 = 25.0
PEAK_RSS_MB = 150.0


def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib():
    try:
        with open("/proc/meminfo") as info:
            kb = int(info.readline().split()[1])
            return f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("benchmarks")
    for name in ["peak-rss-kb", "rss-kb", "seed-seconds", "scale", "duration", "postgres",
                 "commit", "rows"]:
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()

    with open(args.results) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))

    peak_mb = int(args.peak_rss_kb) / 1024
    settings = {k: v for k, v in sorted(os.environ.items())
                if k.startswith("IIN_") and k != "IIN_JWT_SECRET"}
    lines = [
        START,
        "",
        f"Run of {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at commit "
        f"`{args.commit}`: {os.cpu_count()} cores ({cpu_model()}), {memory_gib()}; "
        f"PostgreSQL {args.postgres} on the same machine; wrk with 2 threads on the same machine.",
        f"Data: scale {args.scale}, {args.rows} (loaded in {args.seed_seconds} s). "
        f"Each run lasts {args.duration} s after a 3 s warm-up.",
        "Server settings: " + (", ".join(f"`{k}={v}`" for k, v in settings.items())
                               or "the defaults") + ".",
        "",
        "| query | concurrency | requests/s | p50 ms | p99 ms | errors | SQL statements per request "
        "| server CPU ms per request | pgbench ceiling (requests/s) | share of ceiling |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    misses = []
    for row in rows:
        seconds = int(row["duration_us"]) / 1e6
        rps = int(row["requests"]) / seconds if seconds else 0.0
        p50 = int(row["p50_us"]) / 1000
        p99 = int(row["p99_us"]) / 1000
        errors = int(row["non2xx"]) + int(row["socket_errors"]) + int(row["graphql_errors"])
        http = int(row["http_requests"])
        per_request = int(row["statements"]) / http if http else 0.0
        cpu_ms = float(row["server_cpu_seconds"]) * 1000 / http if http else 0.0
        ceiling = float(row["pgbench_tps"] or 0)
        share = rps / ceiling if ceiling else None
        lines.append(
            f"| {row['query']} | {row['concurrency']} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | "
            f"{errors} | {per_request:.2f} (traced: {row['traced_statements']}) | "
            + (f"{cpu_ms:.2f} | {ceiling:,.0f} | {share:.0%} |" if share is not None
               else f"{cpu_ms:.2f} | no SQL | – |"))
        if share is not None and share < CEILING_SHARE:
            misses.append(f"{row['query']} at {row['concurrency']}: {share:.0%} of its ceiling")
        if row["concurrency"] == "16" and p99 >= P99_MS_AT_16:
            misses.append(f"{row['query']} at 16: p99 {p99:.1f} ms")
        if errors:
            misses.append(f"{row['query']} at {row['concurrency']}: {errors} errors")
    lines += [
        "",
        f"Peak RSS of the server over the whole run: **{peak_mb:.0f} MB** "
        f"(at the end: {int(args.rss_kb) / 1024:.0f} MB).",
        "",
        "Targets (half the ceiling, p99 under 25 ms at 16, peak RSS under 150 MB): "
        + ("all met." if not misses and peak_mb < PEAK_RSS_MB else "missed: "
           + "; ".join(misses + ([f"peak RSS {peak_mb:.0f} MB"] if peak_mb >= PEAK_RSS_MB
                                 else [])) + "."),
        "",
        END,
    ]
    block = "\n".join(lines)

    try:
        with open(args.benchmarks) as f:
            text = f.read()
    except FileNotFoundError:
        text = f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    with open(args.benchmarks, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
