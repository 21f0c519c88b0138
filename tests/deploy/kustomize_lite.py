"""Render the subset of kustomize that ``k8s/`` uses, offline and without kubectl.

CI has no kustomize binary (none on PyPI, no kubectl), yet the manifests it must
validate are the *rendered* overlays. This renderer implements exactly the features
the kustomizations in ``k8s/`` use and refuses every other one, so a kustomization
that grows a feature it cannot render fails loudly instead of being checked wrong:

- ``resources``: YAML files (multi-document) and folders holding a kustomization;
- ``secretGenerator``: ``files`` and ``literals``, with ``disableNameSuffixHash: true``
  (the hash suffix and its reference rewriting are not implemented);
- ``patches``: ``path`` + ``target`` whose file is a list of JSON6902 operations
  (applied with the ``jsonpatch`` library, RFC 6902 semantics as in kustomize);
- ``images``: ``name`` with ``newName``/``newTag``/``digest`` on containers and
  init containers.

Where kubectl is installed, tests compare this renderer's output with
``kubectl kustomize``.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import jsonpatch
import yaml

Resource = dict[str, Any]

_KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_SUPPORTED_KEYS = {"apiVersion", "kind", "resources", "patches", "images", "secretGenerator"}


class UnsupportedKustomization(ValueError):
    """The kustomization uses a feature this renderer does not implement."""


def _kustomization_file(folder: Path) -> Path:
    for name in _KUSTOMIZATION_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no kustomization file in {folder}")


def _load_documents(path: Path) -> list[Resource]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def render(folder: str | Path) -> list[Resource]:
    """Build the kustomization in ``folder`` and return its resources in order."""
    folder = Path(folder)
    spec = yaml.safe_load(_kustomization_file(folder).read_text(encoding="utf-8")) or {}
    unknown = set(spec) - _SUPPORTED_KEYS
    if unknown:
        raise UnsupportedKustomization(
            f"{folder}: unsupported kustomization fields {sorted(unknown)}")

    resources: list[Resource] = []
    for entry in spec.get("resources", []):
        target = folder / entry
        if target.is_dir():
            resources.extend(render(target))
        else:
            resources.extend(_load_documents(target))
    for generator in spec.get("secretGenerator", []):
        resources.append(_generate_secret(folder, generator))
    for patch in spec.get("patches", []):
        _apply_patch(folder, patch, resources)
    for image in spec.get("images", []):
        _set_image(image, resources)
    return resources


def _generate_secret(folder: Path, generator: dict[str, Any]) -> Resource:
    """A Secret from files (``key=path`` or ``path``) and literals (``key=value``)."""
    unknown = set(generator) - {"name", "files", "literals", "options", "type"}
    if unknown:
        raise UnsupportedKustomization(f"secretGenerator fields {sorted(unknown)}")
    options = generator.get("options", {})
    if not options.get("disableNameSuffixHash") or set(options) - {"disableNameSuffixHash"}:
        raise UnsupportedKustomization(
            "secretGenerator needs options.disableNameSuffixHash: true and nothing else")
    data: dict[str, str] = {}
    for item in generator.get("files", []):
        key, _, rel = item.partition("=") if "=" in item else (Path(item).name, "", item)
        content = (folder / rel).read_bytes()  # FileNotFoundError names the missing file
        data[key] = base64.b64encode(content).decode("ascii")
    for item in generator.get("literals", []):
        key, _, value = item.partition("=")
        data[key] = base64.b64encode(value.encode("utf-8")).decode("ascii")
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": generator["name"]},
        "type": generator.get("type", "Opaque"),
        "data": data,
    }


def _matches(resource: Resource, target: dict[str, Any]) -> bool:
    unknown = set(target) - {"kind", "name", "group", "version"}
    if unknown:
        raise UnsupportedKustomization(f"patch target fields {sorted(unknown)}")
    group, _, version = resource.get("apiVersion", "").rpartition("/")
    return (
        resource.get("kind") == target.get("kind", resource.get("kind"))
        and resource.get("metadata", {}).get("name") == target.get("name", resource["metadata"]["name"])
        and group == target.get("group", group)
        and version == target.get("version", version)
    )


def _apply_patch(folder: Path, patch: dict[str, Any], resources: list[Resource]) -> None:
    if set(patch) != {"path", "target"}:
        raise UnsupportedKustomization(
            f"patches entries need exactly `path` and `target`, got {sorted(patch)}")
    operations = yaml.safe_load((folder / patch["path"]).read_text(encoding="utf-8"))
    if not isinstance(operations, list):
        raise UnsupportedKustomization(
            f"{patch['path']}: only JSON6902 patches (a list of operations) are rendered")
    hits = [i for i, res in enumerate(resources) if _matches(res, patch["target"])]
    if not hits:
        raise ValueError(f"{patch['path']}: target {patch['target']} matches no resource")
    json_patch = jsonpatch.JsonPatch(operations)
    for index in hits:
        resources[index] = json_patch.apply(resources[index])


def _split_image(image: str) -> tuple[str, str, str]:
    """``name[:tag][@digest]`` -> (name, tag, digest); a registry port is not a tag."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:], digest
    return name, "", digest


def _pod_specs(resource: Resource) -> list[dict[str, Any]]:
    spec = resource.get("spec", {})
    if resource.get("kind") == "Pod":
        return [spec]
    if resource.get("kind") == "CronJob":
        return [spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})]
    template = spec.get("template", {})
    return [template.get("spec", {})] if isinstance(template, dict) else []


def _set_image(rule: dict[str, Any], resources: list[Resource]) -> None:
    unknown = set(rule) - {"name", "newName", "newTag", "digest"}
    if unknown:
        raise UnsupportedKustomization(f"images fields {sorted(unknown)}")
    for resource in resources:
        for pod in _pod_specs(resource):
            for container in pod.get("containers", []) + pod.get("initContainers", []):
                name, tag, digest = _split_image(container.get("image", ""))
                if name != rule["name"]:
                    continue
                name = rule.get("newName", name)
                if "digest" in rule:
                    container["image"] = f"{name}@{rule['digest']}"
                    continue
                tag = rule.get("newTag", tag)
                image = f"{name}:{tag}" if tag else name
                container["image"] = f"{image}@{digest}" if digest else image
