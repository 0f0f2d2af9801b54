#!/bin/sh
# Engine vs bare matrix products under XLA CPU flag sets, float32 and bfloat16 (one process each;
# ratios are within a process). Usage: sh benchmarks/xla_flags.sh > flags.jsonl
cd "$(dirname "$0")/.."
PY=${PYTHON:-/work/venv/bin/python}
for dtype in float32 bfloat16; do
  for flags in "" "--xla_cpu_use_onednn=true" "--xla_cpu_use_xnnpack=true" "--xla_cpu_experimental_xnn_graph_fusion_mode=XNN_GRAPH_FUSION_MODE_GREEDY" "--xla_cpu_experimental_onednn_custom_call=true"; do
    echo "{\"xla_flags\": \"$flags\", \"dtype\": \"$dtype\"}"
    XLA_FLAGS="$flags" PYTHONPATH=. nice "$PY" benchmarks/engine_speed.py --batch-sizes 1000 --windows 3 \
      --dtype "$dtype" --variants bare,engine 2>&1 | grep '^{'
  done
done
