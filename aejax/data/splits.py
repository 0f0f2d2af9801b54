"""Split strings: "train", "test", "train[:50000]", "train[90%:]", "train[10%:20%]".

Percent boundaries round to the nearest example, as TFDS does by default, so
"train[:90%]" and "train[90%:]" of the same split never overlap and cover it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["SplitSpec", "parse", "bounds"]

_SPLIT_RE = re.compile(r"^\s*(?P<base>[A-Za-z_][\w-]*)\s*(?:\[(?P<start>[^:\]]*):(?P<stop>[^\]]*)\])?\s*$")
_BOUND_RE = re.compile(r"^\s*(?P<value>-?\d+)\s*(?P<pct>%?)\s*$")


class SplitSpec(NamedTuple):
    """A base split name and optional slice bounds, each an int count or a "NN%" string."""

    base: str
    start: int | str | None
    stop: int | str | None


def _parse_bound(text: str, split: str) -> int | str | None:
    if text.strip() == "":
        return None
    match = _BOUND_RE.match(text)
    if match is None:
        raise ValueError(
            f"Bad split {split!r}: slice bound {text!r} must be an integer or a percentage "
            "like '90%' (examples: 'train[:50000]', 'train[90%:]')."
        )
    value = int(match["value"])
    if match["pct"]:
        if not -100 <= value <= 100:
            raise ValueError(f"Bad split {split!r}: percentage {value}% is outside [-100, 100].")
        return f"{value}%"
    return value


def parse(split: str) -> SplitSpec:
    """Parse a split string into its base name and slice bounds."""
    match = _SPLIT_RE.match(split)
    if match is None:
        raise ValueError(
            f"Bad split {split!r}: expected a name with an optional slice, like 'train', "
            "'test', 'train[:50000]', 'train[:90%]' or 'train[90%:]'."
        )
    if match["start"] is None:
        return SplitSpec(match["base"], None, None)
    return SplitSpec(match["base"], _parse_bound(match["start"], split), _parse_bound(match["stop"], split))


def _resolve(bound: int | str | None, n: int, default: int) -> int:
    if bound is None:
        return default
    if isinstance(bound, str):  # "NN%"
        index = int(round(n * int(bound[:-1]) / 100))
    else:
        index = bound
    if index < 0:
        index += n
    return min(max(index, 0), n)


def bounds(spec: SplitSpec, n: int) -> tuple[int, int]:
    """[start, stop) example indices of `spec` in a base split of `n` examples."""
    start = _resolve(spec.start, n, 0)
    stop = _resolve(spec.stop, n, n)
    return start, max(start, stop)
