#!/usr/bin/env bash
# LibreTranslate side by side, two scenarios (a copy of ../shared/tools/ltpeer/sidebyside.sh,
# which is read-only, with a scenario knob; it reuses the shared tool's load generator and
# LibreTranslate runner unchanged).
#
#   SCENARIO=long      (default) the shared tool's run: random Opus-MT-base weights, CTranslate2
#                      int8, beam 4, every output 256 tokens (newsroom-mt forces 256 new tokens,
#                      LibreTranslate decodes to CTranslate2's limit of 256).
#   SCENARIO=realistic the same weights with an </s> logit that rises with the decoder position
#                      (bench/ltpeer_realistic.py: EOS_RAMP, EOS_BIAS), served to BOTH servers:
#                      outputs of ~42 tokens on average (26-47 on NTREX), the four beams of a
#                      sentence ending together as a real model's do. newsroom-mt decodes like
#                      LibreTranslate (beam 4, length penalty 0.2, at most 256 new tokens,
#                      nothing forced). EOS_RAMP=0 gives the earlier constant-bias model, whose
#                      beams decode long (docs/engines.md; bench/ltpeer_ceiling.py shows the
#                      engine's own ceiling in either).
#
# Run from the project checkout with its venv built (.venv, extras ct2), on a quiet machine:
#   bash bench/sidebyside.sh                        # ~30 min the first time (LibreTranslate venv)
#   SCENARIO=realistic bash bench/sidebyside.sh
# Knobs: LEVELS (32) MAX_REQ (160) MAX_S (240) NMT_VENV (.venv) EOS_RAMP EOS_BIAS (see ltpeer_realistic.py)
# SKIP_LT=1 (reuse the last LibreTranslate result of the scenario); every NEWSROOM_* variable you
# export reaches the newsroom-mt server. newsroom-mt runs with its defaults otherwise.
# Output: /tmp/ltpeer/results/sidebyside-$SCENARIO.json and a one-line JSON summary.
set -euo pipefail
PROJ=$(pwd); TOOL=$(cd "$PROJ/../shared/tools/ltpeer" && pwd); DATA=$(cd "$TOOL/../../data/ntrex128" && pwd)
NV=$(cd "${NMT_VENV:-.venv}" && pwd)
SCENARIO=${SCENARIO:-long}
LEVELS=${LEVELS:-32}; MAX_REQ=${MAX_REQ:-160}; MAX_S=${MAX_S:-240}
mkdir -p /tmp/perf /tmp/ltpeer/results /tmp/ltpeer/logs /tmp/ltpeer/data
cp "$TOOL"/bench.py "$TOOL"/build_pkg.py "$TOOL"/calib.py "$TOOL"/env.sh "$TOOL"/run_peer.sh /tmp/ltpeer/
cp "$TOOL"/build_marian.py "$TOOL"/convert_ct2.py /tmp/perf/
cp "$DATA/eng.txt" "$DATA/ukr.txt" /tmp/ltpeer/data/
# 1. random Opus-MT-base weights + SentencePiece model, and LibreTranslate's CT2 int8 copy
[ -f /tmp/perf/marian-base/config.json ] || (cd /tmp/perf && "$NV/bin/python" build_marian.py > /tmp/ltpeer/logs/build_marian.log 2>&1)
[ -f /tmp/perf/marian-ct2-int8/model.bin ] || (cd /tmp/perf && "$NV/bin/python" convert_ct2.py > /tmp/ltpeer/logs/convert.log 2>&1)
case "$SCENARIO" in
  long)
    WEIGHTS=/tmp/perf/marian-base; CT2_DIR=/tmp/perf/marian-ct2-int8
    GENERATION="{num_beams: 4, max_new_tokens: 256, min_new_tokens: 256}" ;;
  realistic)
    "$NV/bin/python" "$PROJ/bench/ltpeer_realistic.py" ${EOS_RAMP:+--ramp "$EOS_RAMP"} ${EOS_BIAS:+--bias "$EOS_BIAS"} --sentences 0 \
      > /tmp/ltpeer/logs/realistic_build.log 2>&1
    WEIGHTS=/tmp/perf/marian-base-eos; CT2_DIR=/tmp/perf/marian-ct2-int8-eos
    GENERATION="{num_beams: 4, max_new_tokens: 256, length_penalty: 0.2}" ;;
  *) echo "SCENARIO must be long or realistic" >&2; exit 2 ;;
esac
TAG=$SCENARIO
# 2. LibreTranslate in its own venv (it pins numpy 1.x)
if [ ! -x /tmp/ltpeer/venv/bin/libretranslate ]; then
  python3.11 -m venv /tmp/ltpeer/venv
  /tmp/ltpeer/venv/bin/pip install -q torch==2.13.0 > /tmp/ltpeer/logs/pip.log 2>&1
  /tmp/ltpeer/venv/bin/pip install -q libretranslate >> /tmp/ltpeer/logs/pip.log 2>&1
  /tmp/ltpeer/venv/bin/pip install -q onnx "numpy==1.26.4" "ml-dtypes<0.6" requests >> /tmp/ltpeer/logs/pip.log 2>&1
fi
# 3. LibreTranslate: offline Argos packages around the same model, load test
if [ "${SKIP_LT:-0}" != 1 ]; then
  (cd /tmp/ltpeer && CT2_DIR=$CT2_DIR TAG=$TAG SKIP_CALIB=1 LEVELS=$LEVELS MAX_REQ=$MAX_REQ MAX_S=$MAX_S \
     bash run_peer.sh > /tmp/ltpeer/logs/peer_run_$TAG.log 2>&1)
fi
# 4. newsroom-mt on the same weights: CTranslate2 engine, its defaults otherwise
REG=/tmp/ltpeer/nmt-$SCENARIO; mkdir -p "$REG"
cat > "$REG/registry.yaml" <<YAML
version: 1
models:
  opus-mt-en-uk:
    path: $WEIGHTS
    family: marian
    task: translate
    directions: [en-uk]
    licence: none (random weights)
    commercial: true
    engine: ctranslate2
    generation: $GENERATION
YAML
export NEWSROOM_REGISTRY=$REG/registry.yaml NEWSROOM_MODELS_DIR=$REG NEWSROOM_LANGUAGES=en,uk HF_HUB_OFFLINE=1
[ -f "$WEIGHTS-ct2-int8/model.bin" ] || "$NV/bin/newsroom-mt" models convert opus-mt-en-uk > /tmp/ltpeer/logs/nmt_convert_$TAG.log 2>&1
PORT=5066
"$NV/bin/newsroom-mt" serve --host 127.0.0.1 --port $PORT > /tmp/ltpeer/logs/nmt_server_$TAG.log 2>&1 &
SRV=$!; trap 'kill $SRV 2>/dev/null || true' EXIT
for i in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
source /tmp/ltpeer/env.sh; source /tmp/ltpeer/venv/bin/activate
(cd /tmp/ltpeer && SPM=/tmp/perf/spm_work/m.model SERVER_PID=$SRV python bench.py "http://127.0.0.1:$PORT" \
   "results/bench_newsroom_$TAG.json" "$LEVELS" "$MAX_REQ" "$MAX_S" > /tmp/ltpeer/logs/nmt_bench_$TAG.log 2>&1)
kill $SRV; wait $SRV 2>/dev/null || true
TAG=$TAG python - <<'PY'
import json, os
tag = os.environ["TAG"]
lt = json.load(open(f"/tmp/ltpeer/results/bench_{tag}.json"))["levels"][-1]
nm = json.load(open(f"/tmp/ltpeer/results/bench_newsroom_{tag}.json"))["levels"][-1]
out = {"scenario": tag, "libretranslate": lt, "newsroom": nm,
       "ratio_out_tok_per_s": round(nm["out_tok_per_s"] / max(lt["out_tok_per_s"], 1e-9), 2)}
json.dump(out, open(f"/tmp/ltpeer/results/sidebyside-{tag}.json", "w"), indent=1)
keys = ("out_tok_per_s", "completed", "errors", "lat_p50_s", "server_cpu_cores")
print(json.dumps({"scenario": tag, "ratio_out_tok_per_s": out["ratio_out_tok_per_s"],
                  "libretranslate": {k: lt.get(k) for k in keys},
                  "newsroom": {k: nm.get(k) for k in keys}}))
PY
