"""Groups a `perf report --stdio --no-children --sort sym` of the server by where the time goes.

Usage: profile_groups.py REPORT.txt
"""

import re
import sys
from collections import defaultdict

# Kernel symbols by the work they do, first match wins.
KERNEL = [
    ("kernel: TCP and loopback", r"tcp|inet|sock|skb|loopback|netif|net_rx|__dev_queue|ip_|napi|sk_"),
    ("kernel: epoll and wake-ups", r"epoll|wake|futex|schedule|switch|ttwu|enqueue|dequeue|pick_next|update_curr|select_task"),
    ("kernel: system call entry", r"syscall|entry_|do_sys|__x64|ksys|fdget|fput"),
    ("kernel: memory", r"page|mem|alloc|kfree|kmem|slab|copy_user|copy_to|copy_from|clear_"),
]
# The allocator (mimalloc or libc's) and libc's memory functions.
LIBC = [
    ("allocator: malloc and free", r"^_?mi_|malloc|free|realloc|calloc|_int_|tcache|arena"),
    ("libc: memcpy, memmove, memset, memcmp", r"mem(cpy|move|set|cmp)|__mem"),
]


def group(symbol, kind):
    if kind == "k":
        for name, pattern in KERNEL:
            if re.search(pattern, symbol):
                return name
        return "kernel: other"
    for name, pattern in LIBC:
        if re.search(pattern, symbol):
            return name
    # A Rust symbol: its crate is the first path segment, past any generic or trait prefix.
    match = re.match(r"^(?:<|_<)*(?:&|&mut |dyn |core::pin::Pin<)*([a-z_][a-z0-9_]*)::", symbol)
    if match:
        return match.group(1)
    return "other"


def main():
    totals = defaultdict(float)
    symbols = []
    for line in open(sys.argv[1]):
        match = re.match(r"^\s+([\d.]+)%\s+\[([k.])\]\s+(.*)$", line)
        if not match:
            continue
        share, kind, symbol = float(match.group(1)), match.group(2), match.group(3).strip()
        totals[group(symbol, kind)] += share
        symbols.append((share, symbol))
    print("\n| where | share of the server's CPU samples |")
    print("| --- | ---: |")
    for name, share in sorted(totals.items(), key=lambda kv: -kv[1]):
        if share >= 0.5:
            print(f"| {name} | {share:.1f} % |")
    print("\nTop symbols:")
    for share, symbol in sorted(symbols, reverse=True)[:25]:
        print(f"  {share:5.2f} %  {symbol[:150]}")


if __name__ == "__main__":
    main()
