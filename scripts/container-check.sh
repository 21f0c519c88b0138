#!/usr/bin/env bash
# Build the CPU container image for real and run it as close to k8s/ as a machine
# without a container engine daemon allows, then check what a cluster relies on.
#
#   bash scripts/container-check.sh    (as root; ~22 min cold on 2 busy cores, ~5 cached)
#
# What it does (docs/deploy.md, "Checking the image"):
#  1. installs debootstrap, podman and buildah with apt-get when they are missing;
#  2. makes a Debian bookworm base with `debootstrap --variant=minbase` and imports it
#     as localhost/bookworm-base (no registry of base images is needed; this base has
#     no Python, the Dockerfile path the CUDA build takes too);
#  3. `podman build --isolation chroot --network host` with this machine's pip CA
#     bundle and local wheel folder (`pip config list`: cert, find-links) mounted
#     into the build and passed as build arguments, never written into the Dockerfile;
#  4. runs the image with `buildah run --isolation chroot --network host --user
#     10001:10001` (podman run cannot set rlimits in this sandbox), tiny models on
#     /models, writable /cache and /tmp, as the Deployment mounts them;
#  5. checks /healthz, /readyz, a translation, a summary, the image's HEALTHCHECK
#     command, SIGTERM during a slow request (it completes, exit 0 within the drain
#     timeout) and that nothing was written outside /models, /cache and /tmp;
#  6. prints the image size (CPU target <= 2 GB) and the start-up time, and one JSON
#     line with every figure. Exit 0 only when every check passed.
#
# Environment: IMAGE (tag to build), BASE_IMAGE (skip the debootstrap base),
# CHECK_PORT (default 18080), KEEP_WORK=1 (keep the scratch folder), SKIP_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/newsroom-mt:check-cpu}
BASE_IMAGE=${BASE_IMAGE:-localhost/bookworm-base}
PORT=${CHECK_PORT:-18080}
DRAIN_S=120
PARAGRAPHS=12
SIZE_LIMIT=$((2 * 1000 * 1000 * 1000))
WORK=$(mktemp -d /tmp/newsroom-container-check.XXXXXX)
BASE_URL="http://127.0.0.1:${PORT}"
CTR=""
MNT=""
SERVER_PID=""
T0=$(date +%s)

say() { printf '[container-check %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ -n "$CTR" ]; then
        [ -n "$MNT" ] && buildah umount "$CTR" >/dev/null 2>&1
        buildah rm "$CTR" >/dev/null 2>&1 || true
    fi
    if [ "${KEEP_WORK:-0}" = 1 ]; then say "scratch kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

need_tools() {
    local missing=()
    for tool in debootstrap podman buildah curl; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    fi
}

make_base() {
    if podman image exists "$BASE_IMAGE"; then
        say "base $BASE_IMAGE already present"
        return
    fi
    [ "$BASE_IMAGE" = localhost/bookworm-base ] || die "base image $BASE_IMAGE not found"
    say "debootstrap --variant=minbase bookworm (a few minutes)"
    debootstrap --variant=minbase bookworm "$WORK/rootfs" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap"; }
    tar -C "$WORK/rootfs" -c . | podman import - "$BASE_IMAGE" >/dev/null
    rm -rf "$WORK/rootfs"
}

# One pip setting ("cert", "find-links") from `pip config list`: the environment's
# value first, then the files'. Empty when unset.
pip_setting() {
    pip config list 2>/dev/null | sed -n "s/^[^.]*\.$1='\(.*\)'$/\1/p" | head -n 1
}

build_image() {
    local args=(--isolation chroot --network host --format docker
                --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$IMAGE")
    local cert links
    cert=$(pip_setting cert)
    links=$(pip_setting find-links)
    if [ -n "$cert" ] && [ -f "$cert" ]; then
        args+=(-v "$cert:/run/build/ca.crt:ro" --build-arg PIP_CERT=/run/build/ca.crt)
    fi
    if [ -n "$links" ] && [ -d "$links" ]; then
        # The local torch wheel: pip's default index plus this folder, no torch index.
        args+=(-v "$links:/run/build/wheels:ro" --build-arg PIP_FIND_LINKS=/run/build/wheels
               --build-arg TORCH_INDEX_URL=)
    fi
    say "podman build ${args[*]} ."
    podman build "${args[@]}" . >"$WORK/build.log" 2>&1 \
        || { tail -40 "$WORK/build.log" >&2; die "podman build"; }
}

# buildah run of the image as the Deployment runs it: uid 10001, /models, /cache, /tmp.
run_in_image() {
    buildah run --isolation chroot --network host --user 10001:10001 \
        -v "$WORK/models:/models" -v "$WORK/cache:/cache" -v "$WORK/tmp:/tmp" \
        --env NEWSROOM_REGISTRY=/models/registry.yaml --env NEWSROOM_HOST=127.0.0.1 \
        --env NEWSROOM_PORT="$PORT" "$@"
}

wait_for() {  # URL STATUS LIMIT_S: poll until URL answers STATUS (bounded).
    local deadline=$((SECONDS + $3))
    while [ $SECONDS -lt $deadline ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "server exited during start-up"
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$1" || true)" = "$2" ] && return 0
        sleep 0.2
    done
    die "$1 did not answer $2 within $3 s"
}

post() {  # PATH JSON -> body on stdout; fails on a non-200 answer.
    curl -sf -H 'Content-Type: application/json' -d "$2" "$BASE_URL$1" \
        || die "POST $1 did not answer 200"
}

batches() {
    curl -s "$BASE_URL/metrics" | sed -n 's/^newsroom_batch_size_count{[^}]*} \(.*\)$/\1/p' \
        | awk '{s += $1} END {print s + 0}'
}

healthcheck_command() {  # the image's HEALTHCHECK test, one argument per line
    podman image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE" \
        | python3 -c 'import json, sys; t = json.load(sys.stdin); assert t[0] == "CMD", t
print("\n".join(t[1:]))'
}

main() {
    need_tools
    make_base
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        local build_start=$SECONDS
        build_image
        say "built $IMAGE in $((SECONDS - build_start)) s"
    fi
    local size
    size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
    say "image size: $size bytes ($((size / 1000000)) MB; target <= 2000 MB)"
    [ "$size" -le "$SIZE_LIMIT" ] || die "image is over 2 GB"

    mkdir -p "$WORK/models" "$WORK/cache" "$WORK/tmp"
    chown 10001:10001 "$WORK/models" "$WORK/cache"
    chmod 1777 "$WORK/tmp"
    CTR=$(buildah from --pull-never "$IMAGE")
    MNT=$(buildah mount "$CTR")
    touch "$WORK/marker"
    sleep 1  # file times have 1 s resolution on some filesystems: later writes are newer

    say "tiny models into /models (the image's own newsroom-mt, as uid 10001)"
    run_in_image "$CTR" -- newsroom-mt models tiny --out /models >"$WORK/tiny.log" 2>&1 \
        || { cat "$WORK/tiny.log" >&2; die "models tiny"; }

    say "serve (uid 10001, SIGTERM drain ${DRAIN_S} s, one item per batch)"
    local start=$SECONDS start_ns healthy_ms ready_ms
    start_ns=$(date +%s%N)
    run_in_image --env NEWSROOM_PRELOAD=true --env NEWSROOM_REQUIRED_MODELS=tiny-marian-en-uk \
        --env NEWSROOM_MAX_BATCH_ITEMS=1 --env NEWSROOM_DRAIN_TIMEOUT_S="$DRAIN_S" \
        "$CTR" -- newsroom-mt serve >"$WORK/server.log" 2>&1 &
    SERVER_PID=$!
    wait_for "$BASE_URL/healthz" 200 180
    healthy_ms=$((($(date +%s%N) - start_ns) / 1000000))
    wait_for "$BASE_URL/readyz" 200 180
    ready_ms=$((($(date +%s%N) - start_ns) / 1000000))
    say "start-up: /healthz 200 after ${healthy_ms} ms, /readyz 200 after ${ready_ms} ms"

    local out
    out=$(post /v1/translate '{"text": "Kyiv is the capital of Ukraine.", "source": "en", "target": "uk"}')
    grep -q '"model":"tiny-marian-en-uk"' <<<"$out" || die "translation route: $out"
    say "translation: $out"
    out=$(post /v1/summarize '{"text": "The council met on Tuesday. The mayor said the budget would grow. Critics said the plan was too costly. The vote is next week.", "target": "en", "mode": "extractive"}')
    grep -q '"summary":"[^"]' <<<"$out" || die "summary: $out"
    say "summary: ${out:0:200}"

    local check=()
    mapfile -t check < <(healthcheck_command)
    run_in_image "$CTR" -- "${check[@]}" || die "HEALTHCHECK command failed"
    say "HEALTHCHECK (${check[*]:0:2} ...) passed"

    sigterm_during_slow_request
    writes_outside_volumes
    say "PASSED in $(( $(date +%s) - T0 )) s"
    printf '{"check": "container", "passed": true, "image": "%s", "image_bytes": %s, "healthz_ms": %s, "readyz_ms": %s, "sigterm_exit": 0, "sigterm_stop_s": %s, "total_s": %s}\n' \
        "$IMAGE" "$size" "$healthy_ms" "$ready_ms" "$STOP_S" "$(( $(date +%s) - T0 ))"
}

descendants() {  # every process below PID $1
    local child
    for child in $(pgrep -P "$1"); do echo "$child"; descendants "$child"; done
}

server_process() {  # the python process of `newsroom-mt serve` below our buildah run
    local p
    for p in $(descendants "$SERVER_PID"); do
        tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'bin/newsroom-mt serve' && echo "$p"
    done | tail -n 1
}

sigterm_during_slow_request() {
    local texts body before pid status
    # 12 paragraphs, one per batch: seconds of work on an idle machine, still well
    # inside the drain timeout on a loaded one.
    texts=$(python3 -c 'import json, sys; print(json.dumps([f"Paragraph {i}: the city council met on Tuesday to discuss the budget." for i in range(int(sys.argv[1]))]))' "$PARAGRAPHS")
    before=$(batches)
    curl -s -o "$WORK/slow.json" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "{\"texts\": $texts, \"source\": \"en\", \"target\": \"uk\"}" \
        "$BASE_URL/v1/translate" >"$WORK/slow.status" &
    local client=$!
    local deadline=$((SECONDS + 60))
    until [ "$(batches)" != "$before" ]; do  # the slow request is being served
        [ $SECONDS -lt $deadline ] || die "the slow request never reached the model"
        sleep 0.05
    done
    # SIGTERM to the server process itself, as the kubelet signals the container's PID 1.
    pid=$(server_process)
    [ -n "$pid" ] || die "server process not found"
    local stop_start=$SECONDS
    kill -TERM "$pid"
    say "SIGTERM sent to pid $pid during a ${PARAGRAPHS}-paragraph request"
    wait "$client" || die "slow request: curl failed"
    status=$(cat "$WORK/slow.status")
    [ "$status" = 200 ] || die "slow request answered $status: $(cat "$WORK/slow.json")"
    python3 -c 'import json, sys; n = len(json.load(open(sys.argv[1]))["translations"]); assert n == int(sys.argv[2]), n' \
        "$WORK/slow.json" "$PARAGRAPHS" || die "slow request: wrong number of translations"
    local code=0
    wait "$SERVER_PID" || code=$?
    SERVER_PID=""
    STOP_S=$((SECONDS - stop_start))
    [ "$code" = 0 ] || { tail -20 "$WORK/server.log" >&2; die "server exit status $code"; }
    [ "$STOP_S" -le "$DRAIN_S" ] || die "stop took ${STOP_S} s, over the ${DRAIN_S} s drain"
    grep -q '"msg": "service stopped"' "$WORK/server.log" || die "no 'service stopped' log line"
    say "SIGTERM: slow request answered 200 with ${PARAGRAPHS} translations; exit 0 after ${STOP_S} s"
}

writes_outside_volumes() {
    # The volumes are bind mounts, not part of the container's root filesystem: any
    # file there newer than the marker was written outside /models, /cache and /tmp.
    # buildah itself creates the mount points and /etc/{hosts,resolv.conf,hostname}
    # and /run/.containerenv for each run (owned by root); the app runs as 10001.
    local written
    written=$(find "$MNT" -xdev -newer "$WORK/marker" -user 10001 -printf '/%P\n' | sort)
    [ -z "$written" ] || die "written outside /models, /cache, /tmp: $written"
    say "nothing written by uid 10001 outside /models, /cache and /tmp"
}

main "$@"
