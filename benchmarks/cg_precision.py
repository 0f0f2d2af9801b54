"""CG fine-tuning of hinton2006/mnist in float32 against float64: losses and seconds per
``minimize`` call, function evaluations and host round trips, side by side in one process.

    PYTHONPATH=. python benchmarks/cg_precision.py RUN_DIR [--calls 60] [--start-epoch-params]

RUN_DIR is a finished or running `aejax run hinton2006/mnist` work directory: the unrolled RBM
stack restored from its pretraining checkpoint is the common start (with --start-epoch-params,
the latest CG checkpoint instead). The first ``--calls`` batches of 1,000 (the run's fixed
order) are each minimised with 3 line searches along two trajectories, one in float32 and one
in float64, calls interleaved so that load from other processes hits both alike. Prints one
JSON line per call (loss after the call for each precision, seconds, evaluations, host round
trips) and a summary: median seconds per call, their ratio, and the test SSE per image of both
end points.
"""
import argparse
import json
import statistics
import time
from pathlib import Path

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from aejax import data, eval as eval_lib, losses, registry
from aejax.models import autoencoder
from aejax.ckpt import Checkpoints
from aejax.train import rbm as rbm_training
from aejax.train import cg, pretrain


def start_params(cfg, workdir: Path, train_x, from_cg: bool):
    model = autoencoder.from_config(cfg.model)
    if from_cg:
        template = autoencoder.init_params(model, jax.random.PRNGKey(0))
        params, meta = Checkpoints(workdir / "finetune_cg").restore(template)
        print(json.dumps({"start": "cg checkpoint", **{k: meta[k] for k in ("epoch", "batch")}}))
        return model, jax.tree_util.tree_map(lambda a: jnp.asarray(a, jnp.float32), params)
    layers = pretrain.pretrain(pretrain.rbm_stages_from_config(cfg), train_x, jax.random.PRNGKey(cfg.seed),
                               checkpoints=Checkpoints(workdir / "pretrain"), print_fn=lambda *a: None)
    print(json.dumps({"start": "unrolled RBM stack"}))
    return model, pretrain.unroll(layers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir")
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--start-epoch-params", action="store_true")
    args = parser.parse_args()
    workdir = Path(args.run_dir)
    saved = json.loads((workdir / "config.json").read_text())
    cfg = registry.load("hinton2006/mnist", overrides={"pretrain.epochs": str(saved["pretrain"]["epochs"])})
    train_x = data.load("mnist", cfg.data.train_split).x
    test_x = data.load("mnist", cfg.data.test_split).x
    model, params = start_params(cfg, workdir, jnp.asarray(train_x), args.start_epoch_params)
    objective = losses.get(cfg.loss)

    def loss_fn(p, x):
        return jnp.mean(objective(model.apply({"params": p}, x), x))

    def sse(p, x):
        return eval_lib.sse_per_image(model, p, x, batch_size=1000)
    tracks = {}
    for name, dtype, x64 in (("float32", jnp.float32, False), ("float64", jnp.float64, True)):
        with jax.enable_x64(x64):
            batches = rbm_training.make_batches(jnp.asarray(train_x, dtype), cfg.finetune.cg.batch_size,
                                       jax.random.PRNGKey(cfg.seed + 2))
            work = jax.tree_util.tree_map(lambda a: jnp.asarray(a, dtype), params)
            _, unravel = ravel_pytree(work)
            tracks[name] = {"x64": x64, "batches": batches, "work": work, "seconds": [],
                            "vg": cg.make_flat_value_and_grad(loss_fn, unravel)}
    for call in range(args.calls):
        line = {"call": call + 1}
        for name, t in tracks.items():
            with jax.enable_x64(t["x64"]):
                start = time.perf_counter()
                t["work"], result = cg.minimize_pytree(loss_fn, t["work"], t["batches"][call], length=3,
                                                       value_and_grad=t["vg"])
                t["seconds"].append(time.perf_counter() - start)
            line[name] = {"loss_before": round(result.values[0], 6), "loss_after": round(result.values[-1], 6),
                          "seconds": round(t["seconds"][-1], 3), "evaluations": result.evaluations,
                          "line_searches": result.line_searches, "host_syncs": result.host_syncs}
        print(json.dumps(line), flush=True)
    summary = {name: {"median_seconds_per_call": statistics.median(t["seconds"][1:] or t["seconds"]),
                      "test_sse_per_image": sse(jax.tree_util.tree_map(
                          lambda a: jnp.asarray(a, jnp.float32), t["work"]), test_x)}
               for name, t in tracks.items()}
    summary["float64_over_float32_seconds"] = (summary["float64"]["median_seconds_per_call"]
                                               / summary["float32"]["median_seconds_per_call"])
    print(json.dumps({"summary": summary, "start_test_sse_per_image": sse(params, test_x)}), flush=True)


if __name__ == "__main__":
    main()
