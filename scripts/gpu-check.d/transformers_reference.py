#!/usr/bin/env python3
"""The transformers side of the GPU check kit (scripts/gpu-check run), in that machine's own Python.

  golden: the golden checkpoints through transformers (eager attention) in each dtype on the device, the worst
          logit difference per fixture against the fixtures' float32 references: the distance a bfloat16 engine
          run is judged against.
  speed:  transformers' own eager `generate` on a model of a bench shape with random weights, batch = workers,
          its cache holding `context` random tokens first (as the engine bench does): ms per decode step.

Results go to --out as JSON, rewritten after every row so that a run cut short by its time box keeps what it did.
"""
import argparse
import json
import os
import sys
import time

# The engine bench's shapes (io.hogwild.engine.bench.BenchShapes), as transformers Qwen3 configs.
SHAPES = {
    "qwen3-0.6b": dict(hidden_size=1024, intermediate_size=3072, num_hidden_layers=28, num_attention_heads=16,
                       num_key_value_heads=8, head_dim=128, vocab_size=151936, tie_word_embeddings=True),
    "qwen3-8b": dict(hidden_size=4096, intermediate_size=12288, num_hidden_layers=36, num_attention_heads=32,
                     num_key_value_heads=8, head_dim=128, vocab_size=151936, tie_word_embeddings=False),
}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("golden")
    g.add_argument("--fixtures", required=True)
    g.add_argument("--dtypes", default="float32,bfloat16")
    g.add_argument("--models", default="")
    g.add_argument("--device", default="gpu", choices=["gpu", "cpu"])
    g.add_argument("--out", required=True)
    s = sub.add_parser("speed")
    s.add_argument("--shape", required=True, choices=sorted(SHAPES))
    s.add_argument("--workers", default="1,2,4,8")
    s.add_argument("--contexts", default="1024,8192,16384")
    s.add_argument("--steps", type=int, default=8)
    s.add_argument("--warmup", type=int, default=2)
    s.add_argument("--device", default="gpu", choices=["gpu", "cpu"])
    s.add_argument("--out", required=True)
    return p.parse_args(argv)


def write(path, doc):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=1)
    os.replace(tmp, path)


def torch_dtype(torch, name):
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[name]


def versions(torch):
    import transformers
    doc = {"torch": torch.__version__, "transformers": transformers.__version__}
    if torch.cuda.is_available():
        doc["gpu"] = torch.cuda.get_device_name(0)
    return doc


def golden(args):
    import torch
    from transformers import AutoModelForCausalLM

    device = "cuda" if args.device == "gpu" else "cpu"
    only = [m for m in args.models.split(",") if m]
    doc = {"source": "transformers, eager attention", **versions(torch), "rows": []}
    fixtures = sorted(d for d in os.listdir(args.fixtures)
                      if os.path.isfile(os.path.join(args.fixtures, d, "expected.json"))
                      and (not only or d in only))
    for name in fixtures:
        folder = os.path.join(args.fixtures, name)
        with open(os.path.join(folder, "expected.json")) as f:
            expected = json.load(f)
        for dtype_name in args.dtypes.split(","):
            row = {"fixture": name, "dtype": dtype_name, "sequences": {}}
            try:
                model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch_dtype(torch, dtype_name),
                                                             attn_implementation="eager").to(device).eval()
                with torch.no_grad():
                    for seq_name, seq in expected.get("sequences", {}).items():
                        ids = torch.tensor([seq["ids"]], device=device)
                        logits = model(input_ids=ids).logits[0].float().cpu()
                        reference = torch.tensor(seq["logits"], dtype=torch.float32)
                        row["sequences"][seq_name] = (logits - reference).abs().max().item()
                row["sequences_max_diff"] = max(row["sequences"].values()) if row["sequences"] else None
                del model
            except Exception as e:  # one fixture's failure must not hide the others
                row["error"] = f"{type(e).__name__}: {e}"[:500]
            doc["rows"].append(row)
            write(args.out, doc)
    write(args.out, doc)


def random_model(torch, shape, device):
    from transformers import AutoModelForCausalLM, Qwen3Config

    config = Qwen3Config(**SHAPES[shape], rms_norm_eps=1e-6, max_position_embeddings=40960, rope_theta=1_000_000.0,
                         use_cache=True, bos_token_id=None, eos_token_id=None, pad_token_id=0)
    torch.manual_seed(0)
    with torch.device(device):
        try:
            model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16, attn_implementation="eager")
        except TypeError:  # transformers 4 names it torch_dtype
            model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16, attn_implementation="eager")
    return config, model.to(device=device, dtype=torch.bfloat16).eval()


def filled_cache(torch, model, config, batch, context, device):
    """A cache holding `context` random keys/values per layer, as the engine bench fills its blocks."""
    from transformers import DynamicCache

    try:
        cache = DynamicCache(config=config)
    except TypeError:
        cache = DynamicCache()
    kv = (batch, config.num_key_value_heads, context, config.head_dim)
    try:
        for layer in range(config.num_hidden_layers):
            cache.update(torch.randn(kv, dtype=torch.bfloat16, device=device),
                         torch.randn(kv, dtype=torch.bfloat16, device=device), layer)
        return cache, "random keys/values"
    except Exception:
        # Another cache API: fill it the ordinary way, by a chunked prefill of random tokens.
        try:
            cache = DynamicCache(config=config)
        except TypeError:
            cache = DynamicCache()
        with torch.no_grad():
            for start in range(0, context, 512):
                n = min(512, context - start)
                ids = torch.randint(config.vocab_size, (batch, n), device=device)
                model(input_ids=ids, past_key_values=cache, use_cache=True)
        return cache, "chunked prefill"


def speed(args):
    import torch
    from transformers import LogitsProcessor, LogitsProcessorList

    device = "cuda" if args.device == "gpu" else "cpu"

    class StepClock(LogitsProcessor):
        """Time stamps of every decode step, the GPU drained first (generate calls this once per new token)."""

        def __init__(self):
            self.times = []

        def __call__(self, input_ids, scores):
            if device == "cuda":
                torch.cuda.synchronize()
            self.times.append(time.perf_counter())
            return scores

    doc = {"source": "transformers eager generate, greedy, random weights, bfloat16", "shape": args.shape,
           **versions(torch), "steps": args.steps, "rows": []}
    t0 = time.perf_counter()
    config, model = random_model(torch, args.shape, device)
    doc["model_init_s"] = round(time.perf_counter() - t0, 2)
    write(args.out, doc)
    for context in [int(c) for c in args.contexts.split(",")]:
        for workers in [int(w) for w in args.workers.split(",")]:
            row = {"workers": workers, "context": context}
            try:
                cache, filled = filled_cache(torch, model, config, workers, context, device)
                ids = torch.randint(config.vocab_size, (workers, context + 1), device=device)
                clock = StepClock()
                new = args.warmup + args.steps + 1
                with torch.no_grad():
                    model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), past_key_values=cache,
                                   max_new_tokens=new, min_new_tokens=new, do_sample=False,
                                   logits_processor=LogitsProcessorList([clock]), pad_token_id=0)
                # The first stamp ends the pass over the last prompt token; each later interval is one decode step.
                stamps = clock.times[args.warmup:]
                deltas = sorted((b - a) * 1000 for a, b in zip(stamps, stamps[1:]))
                median = deltas[len(deltas) // 2] if len(deltas) % 2 else (deltas[len(deltas) // 2 - 1]
                                                                          + deltas[len(deltas) // 2]) / 2
                row.update(step_ms_median=round(median, 3), step_ms_min=round(deltas[0], 3),
                           tokens_per_s=round(workers * 1000 / median, 1), timed_steps=len(deltas), cache=filled)
                del cache
            except Exception as e:
                row["error"] = f"{type(e).__name__}: {e}"[:500]
            if device == "cuda":
                torch.cuda.empty_cache()
                row["peak_gb"] = round(torch.cuda.max_memory_allocated() / 1e9, 1)
            doc["rows"].append(row)
            write(args.out, doc)
    one = {r["context"]: r["step_ms_median"] for r in doc["rows"] if r["workers"] == 1 and "step_ms_median" in r}
    for r in doc["rows"]:
        if "step_ms_median" in r and r["context"] in one:
            r["step_ratio_vs_one_worker"] = round(r["step_ms_median"] / one[r["context"]], 3)
    write(args.out, doc)


def main(argv):
    args = parse_args(argv)
    {"golden": golden, "speed": speed}[args.command](args)


if __name__ == "__main__":
    main(sys.argv[1:])
