#!/usr/bin/env python3
"""12 two-worker demo runs through the gateway: one after another, then all posted at once; and time to first
token with the prompt prefix cold (first run of a worker count) and cached (the next one).

Usage: batching_platform.py [BASE_URL] [API_KEY] [POLL_SECONDS]. A run's end is seen by polling it every POLL_SECONDS
(0.2 by default, as in the first measurements): up to that much is added to each run of the sequential phase and to
the last run of the concurrent one, so a long poll flatters the ratio; 0.02 measures closer to the truth but its
requests cost the services CPU too. So each phase is also timed by the platform's own clock, whatever the poll:
"server_seconds" is the sum of the runs' created_at -> finished_at one after another (a client that posts the next run
the moment the last one ends), and first created_at -> last finished_at at once; "server_speedup" relates those."""
import datetime, json, random, sys, threading, time, urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18880"
KEY = sys.argv[2] if len(sys.argv) > 2 else "dev-key"
N = 12
POLL = float(sys.argv[3]) if len(sys.argv) > 3 else 0.2

def call(method, path, body=None):
    req = urllib.request.Request(BASE + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())

def problem(rng):
    items, answer = [], ""
    for letter in "ABCDEFGH":
        a, b = rng.randint(0, 9), rng.randint(0, 9)
        op = rng.choice("+-*")
        if op == "-" and b > a:
            a, b = b, a
        if op == "*":
            b = rng.randint(0, 9 // max(a, 1)) if a else rng.randint(0, 9)
        if op == "+" and a + b > 9:
            b = 9 - a
        value = a + b if op == "+" else a - b if op == "-" else a * b
        items.append(f"{letter}={a}{op}{b}")
        answer += f"{letter}{value}"
    return "Compute every item, then answer with each letter and its result: " + ", ".join(items) + ".", answer

def post(p, workers=2):
    return call("POST", "/v1/runs", {"problem": p, "workers": workers, "layout": "combined", "temperature": 0,
                                     "max_tokens_per_worker": 256, "seed": 1})["id"]

def wait(run_id, first_token=None):
    t0 = time.time()
    while True:
        v = call("GET", "/v1/runs/" + run_id)
        if first_token is not None and "t" not in first_token and sum(w["tokens"] for w in v.get("progress") or []) > 0:
            first_token["t"] = time.time()
        if v["status"] in ("SUCCEEDED", "FAILED", "CANCELLED", "FINISHED", "COMPLETED") or v.get("finished_at"):
            return v
        time.sleep(0.02 if first_token is not None else POLL)

def tokens(v):
    return sum(w["tokens"] for w in v.get("progress") or [])

def instant(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

def server_seconds(views, concurrent):
    if concurrent:
        return max(instant(v["finished_at"]) for v in views) - min(instant(v["created_at"]) for v in views)
    return sum(instant(v["finished_at"]) - instant(v["created_at"]) for v in views)

def batch(problems, concurrent):
    t0 = time.time()
    views = []
    if concurrent:
        ids = [post(p) for p, _ in problems]
        views = [wait(i) for i in ids]
    else:
        for p, _ in problems:
            views.append(wait(post(p)))
    elapsed = time.time() - t0
    gen = sum(tokens(v) for v in views)
    right = sum(1 for v, (_, a) in zip(views, problems) if v.get("final_answer") == a)
    server = server_seconds(views, concurrent)
    return {"seconds": round(elapsed, 2), "server_seconds": round(server, 3), "generated_tokens": gen,
            "tokens_per_s": round(gen / elapsed, 1), "server_tokens_per_s": round(gen / server, 1),
            "right": right, "answers": [v.get("final_answer") for v in views],
            "statuses": sorted(set(v["status"] for v in views))}

def ttft(workers, p):
    t0 = time.time(); ft = {}
    wait(post(p, workers), ft)
    return round(ft.get("t", float("nan")) - t0, 3)

rng = random.Random(16)
problems = [problem(rng) for _ in range(N)]
wait(post(problem(rng)[0]))  # warm-up (JIT, the 2-worker prefix)
out = {"poll_seconds": POLL}
out["sequential"] = batch(problems, False)
out["concurrent"] = batch(problems, True)
out["speedup"] = round(out["concurrent"]["tokens_per_s"] / out["sequential"]["tokens_per_s"], 2)
out["server_speedup"] = round(out["concurrent"]["server_tokens_per_s"] / out["sequential"]["server_tokens_per_s"], 2)
out["same_answers_batched_vs_sequential"] = out["sequential"]["answers"] == out["concurrent"]["answers"]
out["expected"] = [a for _, a in problems]
out["ttft_s_prefix_cold_3_workers"] = ttft(3, problem(rng)[0])
out["ttft_s_prefix_cached_3_workers"] = ttft(3, problem(rng)[0])
out["ttft_s_prefix_cold_4_workers"] = ttft(4, problem(rng)[0])
out["ttft_s_prefix_cached_4_workers"] = ttft(4, problem(rng)[0])
print(json.dumps(out, indent=1))
