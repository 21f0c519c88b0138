#!/usr/bin/env bash
# GPU readiness, for a machine with an NVIDIA GPU and a CUDA build of torch:
#  1. the tests marked `gpu` (tests/engines/test_gpu.py: transformers float16 and
#     bfloat16, CTranslate2 int8_float16, through the real model manager);
#  2. the engines benchmark on CUDA (bench/engines.py --device cuda: the Opus-MT base
#     architecture with random weights, transformers fp16/bf16 vs CTranslate2
#     int8_float16, greedy and beam 4, batch 1 and 32).
# Prints ONE JSON line on stdout (progress on stderr).
# Exit 0: everything passed; 1: a test or the benchmark failed; 3: no usable GPU here
# (nothing was run, the JSON line says why).
#
#   pip install torch --index-url <a CUDA wheel index>  # the CPU build sees no GPU
#   pip install -e '.[dev]' && bash scripts/gpu-check.sh  [RUNS=3]
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
RUNS=${RUNS:-3}
WORK=$(mktemp -d /tmp/newsroom-gpu-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

no_gpu() {  # REASON: print the JSON line and stop with exit 3
    "$PYTHON" -c 'import json, sys; print(json.dumps({"check": "gpu", "passed": False, "gpu": None, "reason": sys.argv[1]}))' "$1"
    exit 3
}

if ! command -v nvidia-smi >/dev/null 2>&1; then
    no_gpu "no NVIDIA GPU: nvidia-smi is not installed (no NVIDIA driver on this machine)"
fi
if ! gpu=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | head -n 1) \
        || [ -z "$gpu" ] || grep -qi "fail\|error\|no devices" <<<"$gpu"; then
    no_gpu "no NVIDIA GPU: nvidia-smi sees no device (${gpu:-no output})"
fi
if ! torch_info=$("$PYTHON" -c 'import json, torch
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda,
                  "available": torch.cuda.is_available()}))' 2>&1); then
    no_gpu "torch does not import: ${torch_info##*$'\n'}"
fi
if ! "$PYTHON" -c 'import json, sys; sys.exit(0 if json.loads(sys.argv[1])["available"] else 1)' "$torch_info"; then
    no_gpu "torch sees no CUDA device (${torch_info}): the CPU build of torch (torch==2.13.0) is installed; install a CUDA build first"
fi

echo "[gpu-check] $gpu; $torch_info" >&2
echo "[gpu-check] tests marked gpu" >&2
"$PYTHON" -m pytest -q -m gpu -p no:cacheprovider --junitxml="$WORK/junit.xml" tests >&2
tests_rc=$?
echo "[gpu-check] bench/engines.py --device cuda --runs $RUNS" >&2
"$PYTHON" bench/engines.py --device cuda --runs "$RUNS" >"$WORK/bench.json"
bench_rc=$?

"$PYTHON" - "$WORK" "$gpu" "$torch_info" "$tests_rc" "$bench_rc" <<'EOF'
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

work, gpu, torch_info, tests_rc, bench_rc = Path(sys.argv[1]), *sys.argv[2:]
tests = {"passed": 0, "failed": 0, "skipped": 0}
junit = work / "junit.xml"
if junit.is_file():
    root = ET.parse(junit).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    total = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    tests = {"passed": total - failed - skipped, "failed": failed, "skipped": skipped}
bench_text = (work / "bench.json").read_text().strip().splitlines()
bench = json.loads(bench_text[-1]) if bench_text and bench_rc == "0" else None
passed = (tests_rc == "0" and tests["failed"] == 0 and tests["passed"] > 0
          and bench is not None)
print(json.dumps({"check": "gpu", "passed": passed, "gpu": gpu, **json.loads(torch_info),
                  "tests": tests, "bench_exit": int(bench_rc), "bench": bench}))
sys.exit(0 if passed else 1)
EOF
