#!/usr/bin/env python3
"""Merges what `scripts/gpu-check run` measured into --out/summary.json, with the issue's verdicts, and the tails of
every part's log into --out/logs.txt. Plain Python (no torch): it runs wherever the kit runs."""
import argparse
import glob
import json
import os
import sys

FLOAT32_TOLERANCE = 1e-3
# A 16-bit engine run may be this much further from the float32 references than transformers' own run in that
# dtype, of the same checkpoint on the same device.
SIXTEEN_BIT_FACTOR = 1.5
GOAL = {"shape": "qwen3-8b", "workers": 4, "context": 8192, "step_ms": 15.0, "ratio_vs_one_worker": 1.3}
LOG_TAIL_LINES = 80
ERROR_LINES = 40


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def golden_summary(engine, reference):
    if engine is None:
        return None
    reference_by = {}
    for r in (reference or {}).get("rows", []):
        if r.get("sequences_max_diff") is not None:
            reference_by[(r["fixture"], r["dtype"])] = r["sequences_max_diff"]
    float32, sixteen = [], []
    for r in engine.get("rows", []):
        if r["dtype"] == "float32":
            float32.append({"fixture": r["fixture"], "mode": r["mode"], "max_diff": r["max_diff"],
                            "ok": r["max_diff"] <= FLOAT32_TOLERANCE})
            continue
        theirs = reference_by.get((r["fixture"], r["dtype"]))
        row = {"fixture": r["fixture"], "dtype": r["dtype"], "mode": r["mode"],
               "engine_sequences_max_diff": r["sequences_max_diff"],
               "engine_scenarios_max_diff": r.get("scenarios_max_diff"),
               "transformers_sequences_max_diff": theirs}
        if theirs is not None:
            bound = SIXTEEN_BIT_FACTOR * theirs
            row["bound"] = bound
            row["sequences_ok"] = r["sequences_max_diff"] <= bound
            # transformers cannot run the shared-cache scenarios: they are held to the same fixture's bound.
            if r.get("scenarios_max_diff") is not None:
                row["scenarios_ok"] = r["scenarios_max_diff"] <= bound
        sixteen.append(row)
    verdict = {"float32_within_1e-3": all(r["ok"] for r in float32) if float32 else None}
    judged = [r for r in sixteen if "sequences_ok" in r]
    if sixteen:
        verdict["sixteen_bit_within_1.5x_transformers"] = (
            all(r["sequences_ok"] and r.get("scenarios_ok", True) for r in judged)
            if judged and len(judged) == len(sixteen) else None)
    return {"float32": float32, "sixteen_bit": sixteen, "verdict": verdict}


def speed_summary(out_dir):
    tables = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "bench-*.json"))):
        shape = os.path.basename(path)[len("bench-"):-len(".json")]
        engine = load(path)
        reference = load(os.path.join(out_dir, f"reference-{shape}.json")) or {}
        theirs = {(r["workers"], r["context"]): r for r in reference.get("rows", []) if "step_ms_median" in r}
        rows = []
        for r in (engine or {}).get("rows", []):
            if r.get("mode") != "shared":
                continue
            row = {"workers": r["workers"], "context": r["context"], "engine_step_ms": r["step_ms_median"],
                   "engine_tokens_per_s": r["tokens_per_s"],
                   "engine_ratio_vs_one_worker": r.get("step_ratio_vs_one_worker")}
            t = theirs.get((r["workers"], r["context"]))
            if t:
                row.update(transformers_step_ms=t["step_ms_median"], transformers_tokens_per_s=t["tokens_per_s"],
                           engine_speedup_vs_transformers=round(t["step_ms_median"] / r["step_ms_median"], 3))
            rows.append(row)
        # Reference rows with no engine row still belong in the table.
        seen = {(r["workers"], r["context"]) for r in rows}
        for key, t in sorted(theirs.items()):
            if key not in seen:
                rows.append({"workers": key[0], "context": key[1], "transformers_step_ms": t["step_ms_median"],
                             "transformers_tokens_per_s": t["tokens_per_s"]})
        tables[shape] = {"device": (engine or {}).get("device"), "weight_bytes": (engine or {}).get("weight_bytes"),
                         "machine": (engine or {}).get("machine"), "rows": rows}
    return tables


def batching_summary(work_dir):
    """Issue 16's bench: each batching part's sessions batched against the same sessions one after another."""
    result = {}
    for path in sorted(glob.glob(os.path.join(work_dir, "batching-*.json"))):
        shape = os.path.basename(path)[len("batching-"):-len(".json")]
        for r in (load(path) or {}).get("rows", []):
            b = r.get("batching")
            if r.get("mode") == "shared" and b:
                result[shape] = {"sessions": b.get("sessions"), "workers": r["workers"], "context": r["context"],
                                 "round_ms_batched": b.get("round_ms_batched"),
                                 "round_ms_sequential": b.get("round_ms_sequential"),
                                 "tokens_per_s_batched": b.get("tokens_per_s_batched"),
                                 "tokens_per_s_sequential": b.get("tokens_per_s_sequential"),
                                 "batching_speedup": r.get("batching_speedup"),
                                 "speedup_at_least_3": r.get("batching_speedup") is not None
                                 and r["batching_speedup"] >= 3}
    return result


def goals(speed):
    rows = speed.get(GOAL["shape"], {}).get("rows", [])
    row = next((r for r in rows if r["workers"] == GOAL["workers"] and r["context"] == GOAL["context"]), None)
    if row is None or "engine_step_ms" not in row:
        return {"measured": False}
    result = {"measured": True, "step_ms": row["engine_step_ms"],
              "step_within_15ms": row["engine_step_ms"] <= GOAL["step_ms"],
              "ratio_vs_one_worker": row.get("engine_ratio_vs_one_worker")}
    if result["ratio_vs_one_worker"] is not None:
        result["ratio_within_1.3"] = result["ratio_vs_one_worker"] <= GOAL["ratio_vs_one_worker"]
    if "transformers_step_ms" in row:
        result["transformers_step_ms"] = row["transformers_step_ms"]
        result["faster_than_transformers"] = row["engine_step_ms"] < row["transformers_step_ms"]
    return result


def log_tails(work, parts):
    chunks = []
    for part in parts:
        path = os.path.join(work, "logs", f"{part}.log")
        try:
            with open(path, errors="replace") as f:
                lines = f.readlines()
        except OSError:
            continue
        chunks.append(f"===== {part} ({len(lines)} lines, last {LOG_TAIL_LINES}) =====\n")
        # A compiler's first errors scroll out of the tail: keep them apart.
        errors = [line for line in lines[:-LOG_TAIL_LINES] if "error" in line.lower()][:ERROR_LINES]
        if errors:
            chunks.append("----- first error lines before the tail -----\n")
            chunks.extend(errors)
            chunks.append("----- tail -----\n")
        chunks.extend(lines[-LOG_TAIL_LINES:])
    return "".join(chunks)


def main(argv):
    p = argparse.ArgumentParser(description="summarize a gpu-check run")
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    env = load(os.path.join(args.work, "env.json")) or {}
    order = [x for x in env.get("parts", "").split(",") if x]
    parts = [load(os.path.join(args.work, "parts", f"{part}.json")) or {"part": part, "status": "not run"}
             for part in order]
    speed = speed_summary(args.out)
    summary = {"environment": env, "parts": parts,
               "golden": golden_summary(load(os.path.join(args.out, "golden.json")),
                                        load(os.path.join(args.out, "golden-transformers.json"))),
               "speed": speed, "goal_qwen3_8b_4_workers_8192": goals(speed),
               "batching": batching_summary(args.work)}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(args.out, "logs.txt"), "w") as f:
        f.write(log_tails(args.work, order))
    for part in parts:
        print(f"{part['part']:<22} {part['status']:<8} {part.get('seconds', '-')}s")
    if summary["golden"]:
        print("golden:", json.dumps(summary["golden"]["verdict"]))
    for shape, table in speed.items():
        print(f"{shape}: workers context engine_ms (ratio) transformers_ms")
        for r in table["rows"]:
            print(f"  {r['workers']:>2} {r['context']:>6} {r.get('engine_step_ms', '-')} "
                  f"({r.get('engine_ratio_vs_one_worker', '-')}) {r.get('transformers_step_ms', '-')}")
    print("goal:", json.dumps(summary["goal_qwen3_8b_4_workers_8192"]))
    for shape, b in summary["batching"].items():
        print(f"batching {shape}:", json.dumps(b))


if __name__ == "__main__":
    main(sys.argv[1:])
