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
        pct = lat_job["clat_ns"].get("percentile", {})
        for key, name in (("50.000000", "p50_us"), ("99.000000", "p99_us"),
                          ("99.900000", "p999_us")):
            if key in pct:
                rec[name] = pct[key] / 1000.0
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
