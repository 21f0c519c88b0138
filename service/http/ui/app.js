// The editor's page: input and detection, side-by-side streamed translation, route
// and licences, errors in plain words. The summary panel lives in summary.js.
import {ApiError, apiKey, call, setApiKey, translateStream} from "./api.js";
import {$, clear, copyText, el} from "./dom.js";
import {initSummary} from "./summary.js";

const state = {languages: [], names: {}, detected: null, route: null, routes: {},
               translation: "", controller: null, lastSource: ""};

// --- status and errors --------------------------------------------------------------
export function say(text) {
  const box = $("status");
  box.textContent = text;
  box.hidden = !text;
}

export function showError(err) {
  if (err && err.name === "AbortError") { say("Stopped."); return; }
  const message = (err && err.message) || "Unexpected problem: " + String(err);
  $("alert-text").textContent = message;
  const command = err instanceof ApiError ? err.pullCommand : null;
  $("alert-command-row").hidden = !command;
  $("alert-command").textContent = command || "";
  $("alert").hidden = false;
  say("");
}

function hideError() { $("alert").hidden = true; }

/** The onWait callback of api.js: "busy, retrying in N s". */
export function waiting(left) {
  say(`The server is busy, retrying in ${left} s…`);
}

export function languageName(code) {
  return code ? (state.names[code] || code) : "unknown";
}

// --- languages and detection --------------------------------------------------------
async function loadLanguages() {
  const body = await call("GET", "v1/languages", undefined, {onWait: waiting});
  state.languages = body.languages;
  for (const lang of body.languages) state.names[lang.code] = lang.name;
  fillTargets();
  const summaryTarget = $("summary-target");
  for (const lang of body.languages)
    summaryTarget.append(el("option", {value: lang.code}, lang.name));
}

function fillTargets() {
  const select = $("target");
  const previous = select.value;
  const source = state.detected && state.detected.language;
  const reach = new Set();
  for (const lang of state.languages) {
    if (source && lang.code !== source) continue;
    for (const t of lang.targets) reach.add(t);
  }
  clear(select);
  for (const lang of state.languages) {
    if (reach.size && !reach.has(lang.code)) continue;
    if (lang.code === source) continue;
    select.append(el("option", {value: lang.code}, lang.name));
  }
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
}

/** Paragraphs the way the server cuts them: every non-empty line. */
export function paragraphsOf(text) {
  return text.split(/\r\n|[\n\r\v\f\u2028\u2029]/).map((l) => l.trim()).filter(Boolean);
}

/** Text for detection only: tags and script/style bodies removed (never parsed as HTML). */
function plainForDetection(text) {
  if ($("format").value !== "html") return text;
  return text.replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, " ").replace(/<[^>]*>/g, " ");
}

let detectTimer = null;
function scheduleDetect() {
  clearTimeout(detectTimer);
  detectTimer = setTimeout(() => detect().catch(showError), 400);
}

async function detect() {
  const raw = $("source-text").value;
  const text = plainForDetection(raw);
  if (!text.trim()) { $("detected").textContent = ""; $("mixed").hidden = true; return; }
  // Per-paragraph languages for articles of reasonable size (the request limits
  // count every text; the translation's start event gives them for any size).
  const paragraphs = text.length <= 20000 ? paragraphsOf(text).slice(0, 100) : [];
  const texts = paragraphs.length > 1 ? [text, ...paragraphs] : [text];
  const body = await call("POST", "v1/detect", {texts}, {onWait: waiting});
  const [whole, ...each] = body.detections;
  state.detected = whole;
  $("detected").textContent = whole.language
    ? `Source language: ${languageName(whole.language)} (confidence ${Math.round(whole.confidence * 100)}%)`
    : `Source language not recognised (${whole.reason || "unknown"}).`;
  showMixed(paragraphs, each);
  fillTargets();
}

function showMixed(paragraphs, detections) {
  const list = $("mixed");
  clear(list);
  const langs = new Set(detections.filter((d) => d.language).map((d) => d.language));
  list.hidden = langs.size < 2;
  if (list.hidden) return;
  list.append(el("li", {class: "mixed-title"}, "Mixed-language article, paragraph by paragraph:"));
  detections.forEach((d, i) => {
    const snippet = paragraphs[i].length > 60 ? paragraphs[i].slice(0, 60) + "…" : paragraphs[i];
    list.append(el("li", {}, el("span", {class: "badge"}, languageName(d.language)), " ",
                   el("span", {lang: d.language || null}, snippet)));
  });
}

// --- input: paste, drop, open -------------------------------------------------------
function looksLikeHtml(text) { return /<\/?[a-z][^>]*>/i.test(text); }

function takeText(text) {
  $("source-text").value = text;
  onInput();
}

function onInput() {
  const text = $("source-text").value;
  if (looksLikeHtml(text) && text !== state.lastSource && !state.formatChosen)
    $("format").value = "html";
  state.lastSource = text;
  scheduleDetect();
}

async function readFile(file) {
  if (!file) return;
  if (!/\.(txt|html?)$/i.test(file.name)) {
    showError(new Error(`“${file.name}” is not a .txt or .html file.`));
    return;
  }
  const text = await file.text();
  state.formatChosen = true;
  $("format").value = /\.html?$/i.test(file.name) ? "html" : "text";
  takeText(text);
  say(`Opened ${file.name}.`);
}

function wireInput() {
  $("source-text").addEventListener("input", onInput);
  $("format").addEventListener("change", () => { state.formatChosen = true; scheduleDetect(); });
  $("file").addEventListener("change", (e) => readFile(e.target.files[0]).catch(showError));
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) readFile(file).catch(showError);
  });
}

// --- translation ---------------------------------------------------------------------
function pairRow(p, mixed) {
  const source = el("div", {class: "cell src", lang: p.language || null, tabindex: "0",
                            "aria-label": `Source paragraph ${p.index + 1}`}, p.text);
  const target = el("div", {class: "cell tgt pending", lang: $("target").value, tabindex: "0",
                            "aria-label": `Translation of paragraph ${p.index + 1}`},
                    p.translate ? "translating…" : p.text);
  if (!p.translate) target.classList.remove("pending");
  const row = el("li", {class: "pair", "data-index": p.index}, source, target);
  if (mixed && p.language)
    source.prepend(el("span", {class: "badge"}, languageName(p.language)), " ");
  return row;
}

function linkPairs() {
  const list = $("pairs");
  const set = (cell, on) => {
    const row = cell.closest(".pair");
    if (row) row.classList.toggle("linked", on);
  };
  for (const type of ["mouseover", "focusin"])
    list.addEventListener(type, (e) => { const c = e.target.closest(".cell"); if (c) set(c, true); });
  for (const type of ["mouseout", "focusout"])
    list.addEventListener(type, (e) => { const c = e.target.closest(".cell"); if (c) set(c, false); });
  list.addEventListener("click", (e) => selectPair(e.target.closest(".pair")));
  list.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectPair(e.target.closest(".pair")); }
  });
}

function selectPair(row) {
  if (!row) return;
  for (const other of $("pairs").querySelectorAll(".pair.selected"))
    if (other !== row) { other.classList.remove("selected"); other.setAttribute("aria-current", "false"); }
  const on = row.classList.toggle("selected");
  row.setAttribute("aria-current", on ? "true" : "false");
}

function onStreamEvent(name, data) {
  if (name === "start") {
    state.route = data.route;
    state.routes = data.routes;
    state.detected = {language: data.source, confidence: data.confidence};
    $("detected").textContent = data.source
      ? `Source language: ${languageName(data.source)} (confidence ${Math.round(data.confidence * 100)}%)`
      : "Source language: none (no letters).";
    const list = $("pairs");
    clear(list);
    const mixed = new Set(data.paragraphs.map((p) => p.language).filter(Boolean)).size > 1;
    for (const p of data.paragraphs) list.append(pairRow(p, mixed));
    const total = data.paragraphs.filter((p) => p.translate).length;
    state.progress = {done: 0, total};
    progress(0, total);
    $("route-text").textContent = describeRoute(data);
    if ($("route-box").open) showModels().catch(showError);
  } else if (name === "paragraph") {
    const row = $("pairs").querySelector(`.pair[data-index="${Number(data.index)}"]`);
    if (row) {
      const cell = row.querySelector(".tgt");
      cell.textContent = data.text;
      cell.classList.remove("pending");
      row.classList.add("done");
    }
    state.progress.done += 1;
    progress(state.progress.done, state.progress.total);
  } else if (name === "done") {
    state.translation = data.translation.text;
    $("copy-translation").disabled = false;
  }
}

function progress(done, total) {
  const bar = $("progress");
  bar.max = Math.max(total, 1);
  bar.value = total ? done : 1;
  $("progress-text").textContent = total
    ? `${done} of ${total} paragraphs translated` : "Nothing to translate: already in that language.";
}

function describeRoute(data) {
  const routes = Object.entries(data.routes || {});
  if (!routes.length) return "No model was needed.";
  return routes.map(([lang, r]) => `${languageName(lang)} → ${languageName(data.target)}: ` +
    `${r.kind} route, ` + r.steps.map((s) => `${s.model} (${s.source}→${s.target})`).join(", then "))
    .join("; ");
}

async function translate() {
  hideError();
  const text = $("source-text").value;
  if (!text.trim()) { showError(new Error("Paste or drop an article first.")); return; }
  const target = $("target").value;
  if (!target) { showError(new Error("Choose a target language.")); return; }
  $("translation-section").hidden = false;
  $("copy-translation").disabled = true;
  clear($("pairs"));
  state.controller = new AbortController();
  $("stop").hidden = false;
  $("translate").disabled = true;
  say("Translating…");
  try {
    await translateStream({text, target, source: "auto", format: $("format").value},
                          onStreamEvent, {onWait: waiting, signal: state.controller.signal});
    say("Translation done.");
  } catch (err) {
    showError(err);
    if (!$("pairs").children.length) $("translation-section").hidden = true;
  } finally {
    $("stop").hidden = true;
    $("translate").disabled = false;
    state.controller = null;
  }
}

// --- route, models and licences (on demand) ---------------------------------------------
async function showModels() {
  const body = await call("GET", "v1/models", undefined, {onWait: waiting});
  const used = new Set();
  for (const r of Object.values(state.routes || {})) for (const s of r.steps) used.add(s.model);
  const rows = [...body.models].sort((a, b) => Number(used.has(b.id)) - Number(used.has(a.id)));
  const tbody = $("models-table").querySelector("tbody");
  clear(tbody);
  for (const m of rows) {
    tbody.append(el("tr", {class: used.has(m.id) ? "in-route" : null},
      el("th", {scope: "row"}, m.id), el("td", {}, m.task), el("td", {}, m.licence),
      el("td", {}, m.commercial ? "yes" : "no"), el("td", {}, m.local ? "yes" : "no"),
      el("td", {}, m.loaded ? `yes (${m.device || "?"})` : "no"),
      el("td", {}, used.has(m.id) ? "yes" : "")));
  }
}

// --- wiring ----------------------------------------------------------------------------
function wireKey() {
  $("api-key").value = apiKey();
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    setApiKey($("api-key").value.trim());
    say(apiKey() ? "API key set for this tab." : "No API key.");
    init().catch(showError);
  });
  $("key-forget").addEventListener("click", () => {
    setApiKey("");
    $("api-key").value = "";
    say("API key forgotten.");
  });
}

function wireCopy(button, getText) {
  button.addEventListener("click", async () => {
    say((await copyText(getText())) ? "Copied." : "Copying failed: select the text and copy it.");
  });
}

async function init() {
  if (!state.languages.length) await loadLanguages();
}

document.addEventListener("DOMContentLoaded", () => {
  wireKey();
  wireInput();
  linkPairs();
  $("translate").addEventListener("click", translate);
  $("stop").addEventListener("click", () => state.controller && state.controller.abort());
  $("route-box").addEventListener("toggle", () => { if ($("route-box").open) showModels().catch(showError); });
  $("alert-close").addEventListener("click", hideError);
  wireCopy($("copy-translation"), () => state.translation);
  wireCopy($("alert-copy"), () => $("alert-command").textContent);
  initSummary({say, showError, hideError, waiting, languageName});
  init().catch(showError);
});
