#!/bin/sh
# aejax engine and RBM CD-1 epoch vs PyTorch (eager, torch.compile, eager bfloat16 autocast) on this machine, one
# command, processes alternated (ROUNDS="1 2" by default) so load bursts hit both; compare the best rates.
# Usage: sh benchmarks/compare_torch.sh [TORCH_PYTHON] > compare.jsonl
cd "$(dirname "$0")/.."
TORCH_PY=${1:-/work/torchvenv/bin/python}
PY=${PYTHON:-/work/venv/bin/python}
for round in ${ROUNDS:-1 2}; do
  nice "$TORCH_PY" benchmarks/torch_reference.py --batch-sizes 1000,100 --windows 3 2>&1 | grep '^{'
  PYTHONPATH=. nice "$PY" benchmarks/engine_speed.py --batch-sizes 1000,100 --windows 3 --variants bare,engine,rbm_bare,rbm 2>&1 | grep '^{'
  PYTHONPATH=. nice "$PY" benchmarks/engine_speed.py --batch-sizes 1000 --windows 3 --dtype bfloat16 --variants bare,engine 2>&1 | grep '^{'
done
