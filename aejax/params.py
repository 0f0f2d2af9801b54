"""Parameter pytrees: counts and the table a run prints."""
import jax
import numpy as np


def _name(path) -> str:
    return "/".join(str(getattr(k, "key", getattr(k, "name", k))) for k in path)


def count(params) -> int:
    return int(sum(np.prod(leaf.shape) for leaf in jax.tree_util.tree_leaves(params)))


def table(params) -> str:
    """One row per leaf (name, shape, count) and the total."""
    rows = [(_name(path), str(tuple(leaf.shape)), int(np.prod(leaf.shape))) for path, leaf in jax.tree_util.tree_flatten_with_path(params)[0]]
    width = max([len(r[0]) for r in rows] + [4])
    lines = [f"{'name':<{width}}  {'shape':<14} {'count':>10}"]
    lines += [f"{n:<{width}}  {s:<14} {c:>10,}" for n, s, c in rows]
    lines.append(f"{'total':<{width}}  {'':<14} {count(params):>10,}")
    return "\n".join(lines)
