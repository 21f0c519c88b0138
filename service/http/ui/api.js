// Calls to the public /v1 API: the API key header, plain-word errors, automatic
// retries after 429/503 (honouring Retry-After) and the server-sent-event reader of
// POST /v1/translate/stream. Nothing here touches the page except through callbacks.

const KEY_STORE = "newsroom-mt.api-key";  // sessionStorage only: gone with the tab
const MAX_RETRIES = 5;

export function apiKey() { return sessionStorage.getItem(KEY_STORE) || ""; }
export function setApiKey(key) {
  if (key) sessionStorage.setItem(KEY_STORE, key); else sessionStorage.removeItem(KEY_STORE);
}

/** An API failure in words an editor can act on. */
export class ApiError extends Error {
  constructor(status, body, retryAfter) {
    const err = (body && body.error) || {};
    super(plainWords(status, err));
    this.status = status;
    this.type = err.type || "error";
    this.field = err.field || null;
    this.serverMessage = err.message || "";
    this.retryAfter = retryAfter;
    const pull = /newsroom-mt models pull \S+/.exec(this.serverMessage);
    this.pullCommand = pull ? pull[0] : null;
  }
}

function plainWords(status, err) {
  const said = err.message ? ` (${err.message})` : "";
  if (status === 0) return "Cannot reach the server. Check that it is running and try again.";
  if (status === 401) return "This server needs an API key: enter it under “API key” at the top." + said;
  if (status === 429) return "The server is busy or your limit is reached." + said;
  if (err.type === "model_unavailable" || err.type === "engine_not_installed")
    return "A model this needs is not installed on the server." + said;
  if (status === 503) return "The server is starting or busy." + said;
  if (status === 504) return "The server took too long. Try a shorter text." + said;
  if (status === 400) return "The server refused the request" + said + ".";
  return `Something went wrong on the server (status ${status})` + said + ".";
}

function headers(json) {
  const h = {};
  if (json) h["Content-Type"] = "application/json";
  const key = apiKey();
  if (key) h.Authorization = "Bearer " + key;
  return h;
}

async function errorFrom(response) {
  let body = null;
  try { body = await response.json(); } catch (_) { body = null; }
  const wait = parseInt(response.headers.get("Retry-After") || "", 10);
  return new ApiError(response.status, body, Number.isFinite(wait) ? wait : null);
}

/** Wait ``seconds``, telling ``onWait(left)`` every second; rejects on abort. */
function countdown(seconds, onWait, signal) {
  return new Promise((resolve, reject) => {
    let left = seconds;
    const tick = () => {
      if (signal && signal.aborted) { reject(new DOMException("aborted", "AbortError")); return; }
      if (left <= 0) { resolve(); return; }
      onWait(left);
      left -= 1;
      setTimeout(tick, 1000);
    };
    tick();
  });
}

function retryable(err) {
  return (err.status === 429 || (err.status === 503 && err.type !== "model_unavailable"
          && err.type !== "engine_not_installed")) && err.retryAfter !== null
          && err.retryAfter <= 120;
}

/**
 * Run ``attempt()`` (which throws ApiError), retrying busy answers after their
 * Retry-After; ``onWait(seconds, err)`` is told while waiting.
 */
export async function withRetry(attempt, onWait, signal) {
  for (let tries = 0; ; tries += 1) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ApiError) || !retryable(err) || tries >= MAX_RETRIES) throw err;
      await countdown(err.retryAfter, (left) => onWait(left, err), signal);
    }
  }
}

async function send(method, path, body, signal) {
  let response;
  try {
    response = await fetch(path, {method, headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body), signal});
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, null, null);
  }
  if (!response.ok) throw await errorFrom(response);
  return response;
}

/** GET or POST JSON with retries. */
export async function call(method, path, body, {onWait, signal} = {}) {
  return withRetry(async () => (await send(method, path, body, signal)).json(),
                   onWait || (() => {}), signal);
}

/**
 * POST /v1/translate/stream; ``onEvent(name, data)`` for each server-sent event.
 * An ``error`` event becomes an ApiError (retried like an HTTP answer when busy).
 */
export async function translateStream(body, onEvent, {onWait, signal} = {}) {
  return withRetry(async () => {
    const response = await send("POST", "v1/translate/stream", body, signal);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) break;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = parseEvent(block);
        if (!event) continue;
        if (event.name === "error") {
          throw new ApiError(event.data.status || 500, event.data, event.data.retry_after ?? null);
        }
        onEvent(event.name, event.data);
      }
    }
  }, onWait || (() => {}), signal);
}

function parseEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return null;
  return {name, data: JSON.parse(data.join("\n"))};
}
