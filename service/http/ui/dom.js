// Building the page from data without ever parsing HTML: every string becomes a text
// node. (The page's Content-Security-Policy enforces Trusted Types with no policy, so
// an HTML sink such as innerHTML would throw rather than run anything.)

/** ``el("td", {class: "x", lang: "ko"}, "text", otherNode)``: an element with text children. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(id) { return document.getElementById(id); }

export function clear(node) { node.replaceChildren(); }

/**
 * ``text`` as text nodes with the character ranges ``marks`` ([{start, end, id, label}])
 * wrapped in <mark>; overlapping ranges are merged into the first.
 */
export function markedText(text, marks) {
  const frag = document.createDocumentFragment();
  const sorted = marks.filter((m) => m.end > m.start).sort((a, b) => a.start - b.start);
  let cursor = 0;
  for (const m of sorted) {
    if (m.start < cursor) continue;
    frag.append(document.createTextNode(text.slice(cursor, m.start)));
    frag.append(el("mark", {"data-finding": m.id, title: m.label},
                   text.slice(m.start, m.end)));
    cursor = m.end;
  }
  frag.append(document.createTextNode(text.slice(cursor)));
  return frag;
}

/** Copy ``text`` to the clipboard; resolves to true on success. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_) {
    const area = el("textarea", {class: "offscreen", "aria-hidden": "true"});
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand("copy");
    area.remove();
    return ok;
  }
}
