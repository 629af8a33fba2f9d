#!/usr/bin/env python3
"""PyTorch side of `slate bench steady` (CPU). Not part of the build; needs `pip install torch`.

  python3 Benchmarks/gpt-pytorch/steady_torch.py [--shape 768x128x512] [--repeats 200] [--threads 2] [--json]

Repeats one product (M×K)·(K×N) into a preallocated output (`torch.mm(a, b, out=c)`) after 10
warm-up repetitions, timing each, and prints the median, p90, slowest and fastest repetition, the
slowest against the median and how many repetitions took over 1.5 × the median: the same figures,
computed the same way, as `slate bench steady` prints for Slate's pool.
"""
import argparse, json, statistics, time
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--shape", default="768x128x512", help="MxKxN")
parser.add_argument("--repeats", type=int, default=200)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--json", action="store_true")
args = parser.parse_args()
m, k, n = (int(x) for x in args.shape.split("x"))
torch.set_num_threads(args.threads)
torch.manual_seed(7)
a, b, c = torch.randn(m, k), torch.randn(k, n), torch.empty(m, n)
for _ in range(10):
    torch.mm(a, b, out=c)
seconds = []
for _ in range(args.repeats):
    t0 = time.perf_counter()
    torch.mm(a, b, out=c)
    seconds.append(time.perf_counter() - t0)
ordered = sorted(seconds)
median = statistics.median(seconds)
report = {
    "shape": args.shape, "threads": args.threads, "repeats": args.repeats,
    "median_us": round(median * 1e6, 1), "p90_us": round(ordered[len(ordered) * 9 // 10] * 1e6, 1),
    "slowest_us": round(ordered[-1] * 1e6, 1), "fastest_us": round(ordered[0] * 1e6, 1),
    "slowest_over_median": round(ordered[-1] / median, 2),
    "median_gflops": round(2 * m * n * k / median / 1e9, 1),
    "slow_repeats": sum(s > 1.5 * median for s in seconds),
}
if args.json:
    print(json.dumps(report, indent=2))
else:
    print(f"product     {args.shape}, {args.threads} threads, {args.repeats} repetitions, PyTorch {torch.__version__}")
    print(f"median      {report['median_us']} µs ({report['median_gflops']} GFLOP/s); fastest {report['fastest_us']} µs, p90 {report['p90_us']} µs")
    print(f"slowest     {report['slowest_us']} µs = {report['slowest_over_median']} × median; "
          f"{report['slow_repeats']} repetitions over 1.5 × median")
