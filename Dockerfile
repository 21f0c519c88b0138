# syntax=docker/dockerfile:1
# newsroom-mt container image; docs/deploy.md explains every option.
#
#   CPU (default):  docker build -t newsroom-mt:0.1.0-cpu .
#   GPU (CUDA 12):  docker build -t newsroom-mt:0.1.0-gpu \
#                     --build-arg BASE_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 \
#                     --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 .
#   Bake models in: --build-arg MODELS="opus-mt-tc-big-en-zle opus-mt-tc-big-zle-en"   (needs the Hub at build time)
#
# Without MODELS the image holds no weights: mount a volume on /models at run time.

# The CUDA variant swaps the base image, not the Python stages: ctranslate2 on GPU
# needs the system cuBLAS/cuDNN that the nvidia/cuda *-cudnn-runtime images carry.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# ---------------------------------------------------------------------------------
# base: an interpreter and the non-root user. The builder and the runtime both start
# here so the virtualenv's interpreter path is the same where it is built and run.
FROM ${BASE_IMAGE} AS base
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# python:*-slim already has python3; the nvidia/cuda (Ubuntu) images do not.
# DL3008: apt versions are whatever the chosen base image's distribution ships;
# pinning them here would break every BASE_IMAGE but one.
# hadolint ignore=DL3008
RUN if ! command -v python3 >/dev/null; then \
        apt-get update \
        && apt-get install -y --no-install-recommends python3 python3-venv \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && groupadd --system --gid 10001 app \
    && useradd --uid 10001 --gid app --home-dir /app --no-create-home \
               --shell /usr/sbin/nologin app

# ---------------------------------------------------------------------------------
# builder: torch first, pinned and from the wheel index of the chosen device, then the
# project. `pip install .` alone would satisfy `torch>=2.4` with PyPI's multi-GB CUDA
# build. The PyTorch CPU index is the standard source for the CPU wheel. An empty
# TORCH_INDEX_URL keeps pip's own index (plus PIP_FIND_LINKS): that is how a build
# machine with a local copy of the wheel builds (scripts/container-check.sh).
FROM base AS builder
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG EXTRAS=ct2
# pip reads these two as its own settings (empty = unset): a CA bundle for a TLS-
# intercepting proxy, and a folder (or URL) of wheels, both mounted into the build
# with `podman build -v` (see docs/deploy.md). Build arguments, never baked in: they
# exist only in this stage, and the runtime stage starts again from `base`.
ARG PIP_CERT=""
ARG PIP_FIND_LINKS=""
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# PIP_INDEX_URL for this one command only (pip ignores it when empty). The wheel also
# carries C++ headers and test binaries (~190 MB of a ~2 GB image) that serving never
# uses (no extension builds, no torch.compile): they go.
RUN PIP_INDEX_URL="${TORCH_INDEX_URL}" pip install "torch==${TORCH_VERSION}" \
    && rm -rf /opt/venv/lib/python3*/site-packages/torch/include \
              /opt/venv/lib/python3*/site-packages/torch/test \
              /opt/venv/lib/python3*/site-packages/torch/bin/test_* \
              /opt/venv/lib/python3*/site-packages/torch/bin/*Test
WORKDIR /src
COPY pyproject.toml README.md ./
COPY service ./service
# DL3013: this installs the project itself; its dependency ranges live in pyproject.toml.
# hadolint ignore=DL3013
RUN pip install ".[${EXTRAS}]" \
    && newsroom-mt --help >/dev/null

# ---------------------------------------------------------------------------------
# models: optionally pull weights from the Hub at build time into /models.
FROM builder AS models
ARG MODELS=""
ENV NEWSROOM_REGISTRY=/app/models/registry.yaml \
    NEWSROOM_MODELS_DIR=/models \
    HF_HOME=/tmp/huggingface
COPY models/registry.yaml /app/models/registry.yaml
# SC2086: MODELS is a space-separated list; word splitting is what turns it into
# one argument per model.
# hadolint ignore=SC2086
RUN mkdir -p /models \
    && if [ -n "${MODELS}" ]; then newsroom-mt models pull ${MODELS}; fi \
    && rm -rf /tmp/huggingface

# ---------------------------------------------------------------------------------
# runtime
FROM base AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    NEWSROOM_HOST=0.0.0.0 \
    NEWSROOM_PORT=8080 \
    NEWSROOM_REGISTRY=/app/models/registry.yaml \
    NEWSROOM_MODELS_DIR=/models \
    NEWSROOM_LOG_JSON=true \
    HF_HOME=/cache/huggingface \
    XDG_CACHE_HOME=/cache \
    HF_HUB_OFFLINE=1
# /cache and /models are the only paths the app writes (plus /tmp); Kubernetes runs
# the root filesystem read-only and mounts volumes there.
RUN mkdir -p /cache /models /app/models && chown 10001:10001 /cache /models
COPY --from=builder /opt/venv /opt/venv
COPY models/registry.yaml /app/models/registry.yaml
COPY --from=models --chown=10001:10001 /models /models
WORKDIR /app
USER 10001:10001
EXPOSE 8080
# Exec-form ENTRYPOINT: newsroom-mt is PID 1 and receives SIGTERM itself; it stops
# accepting, finishes requests in flight within NEWSROOM_DRAIN_TIMEOUT_S, exits 0.
STOPSIGNAL SIGTERM
# The slim image has no curl: the interpreter that is already there does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('NEWSROOM_PORT', '8080'), timeout=4)"]
ENTRYPOINT ["newsroom-mt"]
CMD ["serve"]
