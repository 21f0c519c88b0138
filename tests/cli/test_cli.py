"""The command line, run as a user would: real subprocesses of ``newsroom-mt``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ARTICLE = ("Russia's defence ministry said its forces had captured the village.\n"
           "\n"
           "Ukraine's General Staff denied the claim, saying fighting continues. "
           "Local officials said three people were killed.\n"
           "   \n"
           "The council will meet again on Monday.\n")


def run(args: list[str], env: dict[str, str], stdin: str | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=300)


def test_tiny_models_then_translate_prints_one_paragraph_per_input_paragraph(
        tmp_path: Path, tiny_env: dict[str, str]) -> None:
    out = tmp_path / "t"
    made = run(["models", "tiny", "--out", str(out)], tiny_env)
    assert made.returncode == 0, made.stderr
    assert "RANDOM-WEIGHT" in made.stderr and "meaningless" in made.stderr
    env = dict(tiny_env, NEWSROOM_REGISTRY=str(out / "registry.yaml"))
    result = run(["translate", "--to", "ko", "--route"], env, stdin=ARTICLE)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    source_lines = ARTICLE.split("\n")
    assert len(lines) == len(source_lines)
    for got, src in zip(lines, source_lines):
        assert bool(got.strip()) == bool(src.strip())
        assert got != src or not src.strip()
    route = json.loads(result.stderr.strip().splitlines()[-1])
    assert route["source"] == "en"
    assert route["route"] == [{"model": "tiny-m2m100", "source": "en", "target": "ko"}]


def test_translate_file_argument_and_python_dash_m(tmp_path: Path,
                                                   tiny_env: dict[str, str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Officials said the bridge would reopen.\n", "utf-8")
    result = run(["translate", "--to", "uk", "--from", "en", str(article)], tiny_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() and result.stdout.strip() != "Officials said the bridge would reopen."


def test_unsupported_language_is_a_usage_error_listing_supported(tiny_env) -> None:
    result = run(["translate", "--to", "de"], tiny_env, stdin="Hello there, friends.")
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: Unsupported language code 'de' for target; "
                                     "supported: en, uk, ru, ko.")


def test_missing_model_error_names_model_and_pull_command(tmp_path: Path, tiny_env) -> None:
    env = {k: v for k, v in tiny_env.items() if k != "NEWSROOM_REGISTRY"}
    env["NEWSROOM_MODELS_DIR"] = str(tmp_path)
    env["HF_HUB_OFFLINE"] = "1"
    result = run(["translate", "--to", "uk", "--from", "en"], env, stdin="Hello there.")
    assert result.returncode == 1
    assert "Model 'opus-mt-tc-big-en-zle' (Helsinki-NLP/opus-mt-tc-big-en-zle) is not available" in result.stderr
    assert "Pull it with: newsroom-mt models pull opus-mt-tc-big-en-zle" in result.stderr
    assert "Traceback" not in result.stderr


def test_detect_article_and_paragraphs(tiny_env) -> None:
    text = "Чиновники заявили, що міст знову відкриють наступного місяця.\n시의회는 새 예산을 승인했다."
    whole = run(["detect"], tiny_env, stdin="Городской совет во вторник утвердил новый бюджет.")
    assert json.loads(whole.stdout)["language"] == "ru"
    per = run(["detect", "--paragraphs"], tiny_env, stdin=text)
    assert [json.loads(line)["language"] for line in per.stdout.splitlines()] == ["uk", "ko"]


def test_models_list_shows_licence_and_local_state(tiny_env, tiny_dir: Path) -> None:
    result = run(["models", "list", "--json"], tiny_env)
    rows = {r["name"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["tiny-m2m100"]["licence"] == "mit"
    assert rows["tiny-m2m100"]["local"] == str(tiny_dir / "m2m100")
    default = run(["models", "list", "--json"],
                  {k: v for k, v in tiny_env.items() if k != "NEWSROOM_REGISTRY"})
    rows = {r["name"]: r for r in map(json.loads, default.stdout.splitlines())}
    assert rows["nllb-200-distilled-600m"]["commercial"] is False
    assert rows["nllb-200-distilled-600m"]["usable"] is False


def test_models_list_shows_attribution_and_published_scores(tiny_env) -> None:
    from service.settings import default_registry_path

    env = dict(tiny_env, NEWSROOM_REGISTRY=str(default_registry_path()))
    result = run(["models", "list", "--json"], env)
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in map(json.loads, result.stdout.splitlines())}
    zle = rows["opus-mt-tc-big-zle-zle"]
    assert zle["target_tokens"] == {"uk": ">>ukr<<", "ru": ">>rus<<"}
    assert "University of Helsinki" in zle["attribution"]
    assert [(s["direction"], s["metric"], s["value"]) for s in zle["scores"]] == [
        ("uk-ru", "chrF", 56.2), ("ru-uk", "chrF", 55.3)]
    table = run(["models", "list"], dict(env, COLUMNS="160"))
    assert table.returncode == 0, table.stderr
    assert "uk-ru 56.2" in table.stdout
    assert f"- opus-mt-tc-big-zle-zle: {zle['attribution']}" in " ".join(table.stdout.split())


def test_non_utf8_input_is_rejected_clearly(tmp_path: Path, tiny_env) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 au lait".encode("latin-1"))
    result = run(["translate", "--to", "uk", str(bad)], tiny_env)
    assert result.returncode == 2
    assert "is not valid UTF-8" in result.stderr


def test_summarize_report_prints_claims_disputes_and_furniture(
        tmp_path: Path, tiny_env: dict[str, str]) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "summarize"))
    from contested import CASES

    case = CASES["ru-civic"]
    article = tmp_path / "article.txt"
    article.write_text(case.text, "utf-8")
    result = run(["summarize", "--mode", "extractive", "--report", str(article)], tiny_env)
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip()
    assert case.counter in summary and "разрешение на строительство" in summary
    assert "Все права защищены" not in summary
    report = json.loads(result.stderr[result.stderr.index("{"):])
    assert list(report["neutrality"]["checks"])[-1] == "disputes"
    assert report["neutrality"]["passed"] is True and report["over_limit"] is False
    assert [(d["claim_side"], d["counter_side"]) for d in report["disputes"]] == [
        (case.claim_side, case.counter_side)]
    assert any(r["stance"] == "denies" for r in report["claims"])
    assert {r["kind"] for r in report["furniture"]} >= {"byline", "dateline", "share"}
