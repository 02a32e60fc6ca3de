#!/usr/bin/env python3
"""Turn one fio JSON output into one measurement record (a JSON line).

Usage: fio2record.py FIO_JSON[,FIO_JSON...] SCENARIO CASE CONTENDER REP [key=value ...]
Appends to $BENCH_OUT/measurements.jsonl. Several outputs (one per tenant)
are summed, and Jain's fairness index over their jobs' bandwidth is added.
"""
import json
import os
import sys


def jain(values):
    total, squares = sum(values), sum(v * v for v in values)
    return total * total / (len(values) * squares) if squares else 0.0


def tail_mean(bins, fraction):
    """Mean of the slowest FRACTION of the I/Os in fio's histogram
    ({"ns": count}): the share of the bin on the boundary is counted in."""
    left = fraction * sum(bins.values())
    total = weight = 0.0
    for ns, count in sorted(((int(k), v) for k, v in bins.items()), reverse=True):
        take = min(count, left - weight)
        if take <= 0:
            break
        total += take * ns
        weight += take
    return total / weight if weight else 0.0


def summarise(jobs):
    rec = {"iops": 0.0, "bw_mbs": 0.0}
    lat_job = None
    for job in jobs:
        for d in ("read", "write", "trim"):
            if d not in job:
                continue
            side = job[d]
            if side["total_ios"] == 0:
                continue
            rec["iops"] += side["iops"]
            rec["bw_mbs"] += side["bw_bytes"] / 1e6
            if lat_job is None:
                lat_job = side
    if lat_job is not None:
        # clat: submission to completion. Where the device completes inside
        # io_submit (null_blk without a timer), the whole path is in slat and
        # clat is only the reap: jobs with lat_percentiles=1 also give the
        # total, submission included (lat_*).
        for field, prefix in (("clat_ns", ""), ("lat_ns", "lat_")):
            pct = lat_job.get(field, {}).get("percentile", {})
            for key, name in (("50.000000", "p50_us"), ("99.000000", "p99_us"),
                              ("99.900000", "p999_us")):
                if key in pct:
                    rec[prefix + name] = pct[key] / 1000.0
        # With json+, the mean of the slowest 1 %: unlike the p99 it moves
        # little when a mode of the latency holds about 1 % of the I/Os.
        bins = lat_job.get("lat_ns", {}).get("bins")
        if bins:
            rec["lat_tail1_us"] = tail_mean(bins, 0.01) / 1000.0
    if len(jobs) > 1:
        rec["jain"] = jain([sum(j[d]["bw_bytes"] for d in ("read", "write", "trim")
                                if d in j) for j in jobs])
    return rec


def load_jobs(paths):
    jobs = []
    for path in paths.split(","):
        with open(path) as f:
            text = f.read()
        # fio may print notes before the JSON document.
        jobs += json.loads(text[text.index("{"):])["jobs"]
    return jobs


def main():
    paths, scenario, case, contender, rep = sys.argv[1:6]
    rec = {"scenario": scenario, "case": case, "contender": contender, "rep": int(rep)}
    rec.update(summarise(load_jobs(paths)))
    for extra in sys.argv[6:]:
        key, value = extra.split("=", 1)
        rec[key] = float(value)
    with open(os.path.join(os.environ["BENCH_OUT"], "measurements.jsonl"), "a") as out:
        out.write(json.dumps(rec) + "\n")
    print(f"  {scenario}/{case}/{contender} rep {rep}: " +
          " ".join(f"{k}={v:.1f}" for k, v in rec.items() if isinstance(v, float)))


if __name__ == "__main__":
    main()
