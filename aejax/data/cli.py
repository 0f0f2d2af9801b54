"""`aejax data list | prepare NAME | curves-calibration`."""

from __future__ import annotations

import dataclasses
import json
import time

__all__ = ["add_parser", "curves_calibration"]


def curves_calibration(seed: int = 0, logistic_epochs: int = 0, **generator) -> dict:
    """Generator parameters and the calibration statistics of a full CURVES draw (20,000 /
    10,000): mean-image SSE, PCA-6/-18 test SSE and, with ``logistic_epochs`` > 0, logistic
    PCA-6/-18 test SSE (Adam, learning rate 3e-3, batch 1000). ``generator``: CurvesParams
    fields to override (None keeps the calibrated value)."""
    from aejax.data import curves

    params = dataclasses.replace(curves.DEFAULT_PARAMS, **{k: v for k, v in generator.items() if v is not None})
    start = time.perf_counter()
    train, test = curves.generate(seed, "train", params), curves.generate(seed, "test", params)
    generated = time.perf_counter() - start
    result = {
        "seed": seed,
        "generator": dataclasses.asdict(params),
        "n_train": len(train),
        "n_test": len(test),
        "pca18_test_sse": curves.pca_sse(train, test, 18),
        "pca6_test_sse": curves.pca_sse(train, test, 6),
        "mean_image_sse_train": curves.mean_image_sse(train, train),
        "mean_image_sse_test": curves.mean_image_sse(train, test),
        "generation_seconds": generated,
    }
    if logistic_epochs:
        from aejax.baselines import logistic_pca

        flat_train, flat_test = train.reshape(len(train), -1), test.reshape(len(test), -1)
        for k in (6, 18):
            net, fitted = logistic_pca.fit(flat_train, k, epochs=logistic_epochs, batch_size=1000,
                                           learning_rate=3e-3, seed=seed)
            result[f"logistic_pca{k}_test_sse"] = logistic_pca.sse_per_example(net, fitted, flat_test)
    return result


_PAPER = {"pca18_test_sse": 5.90, "mean_image_sse_train": 16.0, "logistic_pca6_test_sse": 7.64,
          "logistic_pca18_test_sse": 2.45}


def _cmd_calibration(args) -> int:
    result = curves_calibration(args.seed, args.logistic_epochs, width=args.width, peak=args.peak,
                                margin=args.margin, min_dx=args.min_dx)
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"CURVES-like generator, seed {result['seed']}: {result['n_train']} train / {result['n_test']} test "
          f"images in {result['generation_seconds']:.1f} s")
    print("parameters: " + ", ".join(f"{k}={v}" for k, v in result["generator"].items()))
    for key, label in (("mean_image_sse_train", "mean-image SSE, train"), ("pca6_test_sse", "PCA-6 test SSE"),
                       ("pca18_test_sse", "PCA-18 test SSE"), ("logistic_pca6_test_sse", "logistic PCA-6 test SSE"),
                       ("logistic_pca18_test_sse", "logistic PCA-18 test SSE")):
        if key in result:
            paper = f"  (real CURVES: {_PAPER[key]})" if key in _PAPER else ""
            print(f"{label + ':':27s}{result[key]:8.3f}{paper}")
    return 0


def _cmd_list(args) -> int:
    from aejax.data import registry

    for name in registry.names():
        cls = registry.get(name)
        files = ", ".join(cls.EXPECTED_FILES) if cls.EXPECTED_FILES else "generated, no files"
        print(f"{name:15s} {cls.name:22s} {files}")
    return 0


def _cmd_prepare(args) -> int:
    from pathlib import Path

    from aejax.data import builder, load, registry

    if args.name not in registry.names() and (Path(args.name).suffix or Path(args.name).exists()):
        raise ValueError(f"{args.name!r} looks like a file; `aejax data prepare` takes the name of a registered dataset "
                         f"({', '.join(registry.names())}; `aejax data list` shows the files each expects).")
    start = time.perf_counter()
    built = builder(args.name, data_dir=args.data_dir, config=args.config, rebuild=args.rebuild)
    for split in sorted(built.info.splits.keys()):
        if "image" in built.info.features:
            arrays = load(args.name, split, data_dir=args.data_dir, config=args.config)
            print(f"{args.name} {split}: x {arrays.x.shape} {arrays.x.dtype}, y {arrays.y.shape}")
        else:
            print(f"{args.name} {split}: {built.info.splits[split].num_examples} examples")
    print(f"prepared in {built.data_dir} ({time.perf_counter() - start:.1f} s)")
    return 0


def add_parser(subparsers) -> None:
    """Adds `aejax data ...` to the CLI."""
    parser = subparsers.add_parser("data", help="datasets: list, prepare, CURVES calibration")
    sub = parser.add_subparsers(dest="data_command", required=True)
    p = sub.add_parser("list", help="registered datasets and the files each expects")
    p.set_defaults(func=lambda a, extra: _cmd_list(a))
    p = sub.add_parser("prepare", help="prepare a dataset in the cache ($AEJAX_CACHE_DIR, ~/.cache/aejax)")
    p.add_argument("name")
    p.add_argument("--data-dir", help="folder with the dataset's files (default $AEJAX_DATA_DIR/<name>)")
    p.add_argument("--config", help="builder config, e.g. seed_1 for curves")
    p.add_argument("--rebuild", action="store_true",
                   help="discard the prepared copy and prepare again from the current files")
    p.set_defaults(func=lambda a, extra: _cmd_prepare(a))
    p = sub.add_parser("curves-calibration",
                       help="regenerate CURVES and print its calibration statistics (mean image, PCA, logistic PCA)")
    p.add_argument("--seed", type=int, default=0)
    for name, what in (("width", "ink width (pixels)"), ("peak", "straight-stroke centre intensity before clipping"),
                       ("margin", "margin of the unit square in the image (pixels)"),
                       ("min-dx", "minimum x-gap of the three points")):
        p.add_argument(f"--{name}", type=float, default=None, help=f"{what}; default: the calibrated value")
    p.add_argument("--logistic-epochs", type=int, default=0,
                   help="also fit logistic PCA-6/-18 for this many epochs (the calibration used 300)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=lambda a, extra: _cmd_calibration(a))

