// The summary panel: POST /v1/summarize, the summary with its findings marked, the
// neutrality report and enforcement in plain words, the findings marked on the
// article, and the claims table (who said what) when the server sends one.
import {call} from "./api.js";
import {$, clear, copyText, el, markedText} from "./dom.js";

/** What each check looks for, in words an editor reads. */
const CHECKS = {
  novel_content: ["Nothing new", "The summary must not say things the article does not say."],
  attribution: ["Claims keep their source", "A claim the article attributes to someone must not be stated as fact or given to someone else."],
  sides: ["All sides present", "Every side the article quotes must appear in the summary."],
  loaded_language: ["No loaded words", "The summary must not add emotive or judgemental words the article does not use."],
  faithfulness: ["Faithful to the article", "Every statement of the summary must be supported by the article."],
  disputes: ["Disputes kept together", "A claim the article shows as disputed must come with its denial, and a denial with its claim."],
};

const ENFORCEMENT = {
  none: "Nothing had to be changed.",
  repaired: "The model's summary failed a check, so it was repaired: problem sentences were dropped or replaced with the article's own attributed sentences.",
  fallback: "The model's summary failed a check, so it was replaced by an extractive summary made of the article's own sentences.",
  reported: "The summary failed a check; this server only reports problems (policy “report-only”), so it was not changed.",
};

let deps = null;
let findingsById = new Map();

export function initSummary(d) {
  deps = d;
  $("summarize").addEventListener("click", () => summarize().catch(deps.showError));
  $("copy-summary").addEventListener("click", async () => {
    deps.say((await copyText($("summary-text").textContent)) ? "Copied." : "Copying failed.");
  });
  $("findings").addEventListener("click", (e) => {
    const button = e.target.closest("button[data-finding]");
    if (button) activate(button.dataset.finding);
  });
}

function articleText() {
  const raw = $("source-text").value;
  if ($("format").value !== "html") return raw;
  // The server summarises plain text: drop tags without ever parsing them as HTML.
  return raw.replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<\/(p|div|h[1-6]|li|blockquote|tr)\s*>|<br\s*\/?>/gi, "\n")
    .replace(/<[^>]*>/g, " ").replace(/[ \t]+/g, " ");
}

async function summarize() {
  deps.hideError();
  const text = articleText();
  if (!text.trim()) { deps.showError(new Error("Paste or drop an article first.")); return; }
  const body = {text, mode: $("mode").value};
  const max = parseInt($("max-sentences").value, 10);
  if (Number.isFinite(max)) body.max_sentences = max;
  if ($("summary-target").value) body.target = $("summary-target").value;
  $("summarize").disabled = true;
  deps.say("Summarising…");
  try {
    const result = await call("POST", "v1/summarize", body, {onWait: deps.waiting});
    render(result, text);
    deps.say("Summary done.");
  } finally {
    $("summarize").disabled = false;
  }
}

/** Every finding with an id, where it sits in the summary and in the article. */
function locate(report, summaryChecked, article) {
  const out = [];
  for (const [check, result] of Object.entries(report.checks || {})) {
    (result.findings || []).forEach((f, i) => {
      const id = `${check}-${i}`;
      const inSummary = f.start !== null && f.start !== undefined
        && summaryChecked.slice(f.start, f.end) === f.span_text;
      // Novel content and loaded words are, by definition, not the article's: only
      // findings that quote the article (no summary position) or a sentence it
      // attributes are looked up there.
      const quotes = !inSummary || check === "attribution" || check === "disputes";
      const at = f.span_text && quotes ? article.indexOf(f.span_text) : -1;
      out.push({...f, id, inSummary, articleStart: at,
                label: `${(CHECKS[check] || [check])[0]}: ${f.message}`});
    });
  }
  return out;
}

function render(result, article) {
  $("summary-out").hidden = false;
  const translated = result.source_summary !== undefined && result.source_summary !== null;
  const checked = translated ? result.source_summary : result.summary;
  const findings = locate(result.neutrality, checked, article);
  findingsById = new Map(findings.map((f) => [f.id, f]));
  const marks = (text, key) => findings.filter((f) => key(f) >= 0)
    .map((f) => ({start: key(f), end: key(f) + f.span_text.length, id: f.id, label: f.label}));

  const summary = $("summary-text");
  clear(summary);
  summary.lang = result.target_language;
  if (translated) {
    summary.append(result.summary, el("br"), el("br"),
      el("span", {class: "hint"}, `Checked in the article's language (${deps.languageName(result.source_language)}):`),
      el("br"), el("span", {lang: result.source_language}, markedText(checked, marks(checked, (f) => f.inSummary ? f.start : -1))));
  } else {
    summary.append(markedText(checked, marks(checked, (f) => f.inSummary ? f.start : -1)));
  }
  renderFacts(result);
  renderReport(result, findings);
  const marked = $("article-marked");
  clear(marked);
  marked.lang = result.source_language;
  marked.append(markedText(article, marks(article, (f) => f.articleStart)));
  renderClaims(result);
}

function words(text) { return text.split(/\s+/).filter(Boolean).length; }

function renderFacts(result) {
  const facts = $("summary-facts");
  clear(facts);
  const add = (term, value) => facts.append(el("dt", {}, term), el("dd", {}, value));
  add("Mode", result.mode_used === "abstractive" ? "abstractive (written by a model)"
                                                 : "extractive (sentences taken from the article)");
  add("Length", `${words(result.summary)} words, ${result.summary.length} characters`);
  add("Languages", `${deps.languageName(result.source_language)} article → ${deps.languageName(result.target_language)} summary`);
  add("Model route", (result.model_route || []).map((s) =>
    `${s.task}: ${s.model}` + (s.source ? ` (${s.source}→${s.target})` : "")).join(" → ") || "none");
  for (const note of result.notes || []) add("Note", note);
}

function renderReport(result, findings) {
  const report = result.neutrality;
  const failed = report.failed || [];
  const skipped = report.skipped || [];
  const name = (c) => (CHECKS[c] || [c])[0];
  $("verdict").textContent = failed.length
    ? `Not neutral: failed ${failed.map(name).join(", ")}.`
    : "Neutral: every check that ran passed." + (skipped.length ? ` Not run: ${skipped.map(name).join(", ")}.` : "");
  $("verdict").className = "verdict " + (failed.length ? "bad" : "good");
  const enf = result.enforcement || {};
  let text = `Enforcement (policy “${enf.policy || "?"}”): ${ENFORCEMENT[enf.action] || enf.action}`;
  if (enf.reason) text += ` Reason: ${enf.reason}.`;
  if (enf.candidate_report && (enf.candidate_report.failed || []).length)
    text += ` The model's own summary had failed: ${enf.candidate_report.failed.map(name).join(", ")}.`;
  $("enforcement").textContent = text;

  const checks = $("checks");
  clear(checks);
  for (const [check, res] of Object.entries(report.checks || {})) {
    const [title, meaning] = CHECKS[check] || [check, ""];
    const verdict = res.skipped ? "not run" : res.passed ? "passed" : "FAILED";
    const item = el("li", {class: res.skipped ? "skipped" : res.passed ? "good" : "bad"},
      el("strong", {}, `${title}: ${verdict}`), " — ", meaning);
    if (res.reason) item.append(el("br"), el("span", {class: "hint"}, `Why: ${res.reason}`));
    checks.append(item);
  }
  const list = $("findings");
  clear(list);
  if (!findings.length) list.append(el("li", {}, "No findings."));
  for (const f of findings) {
    const where = [f.inSummary ? "marked in the summary" : null,
                   f.articleStart >= 0 ? "marked in the article" : null].filter(Boolean);
    list.append(el("li", {}, el("button", {type: "button", class: "finding", "data-finding": f.id},
      el("strong", {}, (CHECKS[f.check] || [f.check])[0]), `: ${f.message}`),
      f.span_text ? el("q", {}, f.span_text) : null,
      el("span", {class: "hint"}, where.length ? ` (${where.join(", ")})` : " (not in either text)")));
  }
}

function activate(id) {
  for (const node of document.querySelectorAll("mark.active, button.finding.active"))
    node.classList.remove("active");
  let first = null;
  for (const node of document.querySelectorAll("mark[data-finding], button.finding")) {
    if (node.dataset.finding !== id) continue;
    node.classList.add("active");
    if (!first && node.tagName === "MARK") first = node;
  }
  if (first) first.scrollIntoView({block: "nearest"});
  const f = findingsById.get(id);
  if (f) deps.say(f.label);
}

/** The claims table, in whichever shape the server sends it. */
function claimsOf(result) {
  const c = result.claims;
  if (!c) return null;
  if (Array.isArray(c)) return {claims: c, disputes: Array.isArray(result.disputes) ? result.disputes : []};
  return {claims: c.claims || [], disputes: c.disputes || []};
}

function renderClaims(result) {
  const table = claimsOf(result);
  $("claims-box").hidden = !table || !table.claims.length;
  if ($("claims-box").hidden) return;
  const byIndex = new Map(table.claims.map((c) => [c.index, c]));
  const tbody = $("claims-table").querySelector("tbody");
  clear(tbody);
  for (const c of table.claims) {
    const answered = c.answers !== null && c.answers !== undefined ? byIndex.get(c.answers) : null;
    const answers = c.answers === null || c.answers === undefined ? "" :
      `#${c.answers}` + (answered ? ` (${answered.speaker || answered.side || "?"})` : "");
    const restates = c.restates !== null && c.restates !== undefined ? ` (restates #${c.restates})` : "";
    tbody.append(el("tr", {"data-claim": c.index}, el("td", {}, `#${c.index}`),
      el("td", {}, c.speaker || "the reporter"), el("td", {}, c.side || "—"),
      el("td", {}, (c.stance || "") + (c.verb ? ` (“${c.verb}”)` : "") + restates),
      el("td", {}, answers), el("td", {lang: result.source_language}, c.sentence || "")));
  }
  const disputes = $("disputes");
  clear(disputes);
  for (const d of table.disputes) {
    disputes.append(el("li", {}, `Disputed: claim #${d.claim} (${d.claim_side}) is answered by #${d.counter} (${d.counter_side}).`));
  }
}
