/**
 * The web page at `/`: plain HTML and a little JS, no build step. It lists the
 * pipelines, shows each graph (the SVG endpoint), builds a form from the
 * inputs, runs through the streaming endpoint and prints progress and outputs.
 *
 * @module
 */

const SCRIPT = String.raw`
const $ = (s, el = document) => el.querySelector(s);
const h = (tag, attrs = {}, ...kids) => {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...kids);
  return el;
};
const tokenBox = $("#token");
tokenBox.value = localStorage.getItem("hn-token") ?? "";
tokenBox.addEventListener("change", () => { localStorage.setItem("hn-token", tokenBox.value); load(); });
const headers = () => tokenBox.value ? { authorization: "Bearer " + tokenBox.value } : {};
// Values that look like JSON (numbers, arrays, objects, true/false/null, quoted strings) are parsed.
const parseValue = (text) => {
  if (/^\s*([\[{"]|-?\d|true\b|false\b|null\b)/.test(text)) {
    try { return JSON.parse(text); } catch { /* a plain string */ }
  }
  return text;
};

async function load() {
  const list = $("#pipelines");
  list.textContent = "Loading…";
  const res = await fetch("api/pipelines", { headers: headers() });
  const body = await res.json();
  list.textContent = "";
  if (!res.ok) { list.append(h("p", { class: "error" }, body.error.message)); return; }
  for (const p of body.pipelines) list.append(card(p));
}

function card(p) {
  const graph = h("div", { class: "graph" }, "drawing…");
  fetch("api/pipelines/" + encodeURIComponent(p.name) + "/graph.svg", { headers: headers() })
    .then((r) => r.ok ? r.text() : Promise.reject(new Error(r.statusText)))
    .then((svg) => { graph.innerHTML = svg.replace(/^[\s\S]*?(<svg)/, "$1"); })
    .catch((e) => { graph.textContent = "no picture: " + e.message; });
  const form = h("form", { "data-pipeline": p.name });
  for (const input of p.inputs) {
    const note = input.bound ? " (bound)" : input.required ? "" : " (optional)";
    form.append(h("label", {}, input.name + note,
      h("input", { name: input.name, placeholder: input.required ? "required" : "leave empty for the default" })));
  }
  const run = h("button", { type: "submit" }, "Run");
  form.append(run);
  const progress = h("ol", { class: "progress" });
  const out = h("pre", { class: "outputs" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const inputs = {};
    for (const el of form.querySelectorAll("input")) {
      if (el.value !== "") inputs[el.name] = parseValue(el.value);
    }
    progress.textContent = "";
    out.textContent = "";
    out.classList.remove("error");
    run.disabled = true;
    try {
      await stream(p.name, inputs, (event, data) => {
        if (event === "result") out.textContent = JSON.stringify(data.outputs, null, 2);
        else if (event === "error") {
          out.classList.add("error");
          out.textContent = data.error.message;
        } else {
          const what = data.node ?? data.pipeline;
          const extra = data.duration === undefined ? "" : " " + data.duration.toFixed(1) + " ms";
          // The item at every map level ("2/0": item 0 of a map inside item 2).
          const items = data.itemPath ?? (data.item === undefined ? [] : [data.item]);
          const item = items.length === 0 ? "" : " [" + items.join("/") + "]";
          progress.append(h("li", { class: event }, event + " " + what + item + extra));
        }
      });
    } catch (e) {
      out.classList.add("error");
      out.textContent = e.message;
    } finally {
      run.disabled = false;
    }
  });
  return h("section", { class: "pipeline", id: "pipeline-" + p.name },
    h("h2", {}, p.name),
    h("p", {}, "outputs: " + p.outputs.join(", ")),
    graph, form, progress, out);
}

// EventSource cannot POST: read the SSE stream from fetch.
async function stream(name, inputs, onEvent) {
  const res = await fetch("api/pipelines/" + encodeURIComponent(name) + "/run/stream", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers() },
    body: JSON.stringify({ inputs }),
  });
  if (!res.ok) throw new Error((await res.json()).error.message);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      onEvent(event, JSON.parse(data));
    }
  }
}

load();
`;

/** The whole page. */
export const PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>HyperNodes</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  .pipeline { border: 1px solid #ccc; border-radius: 8px; padding: 1rem; margin: 1rem 0; }
  .graph svg { max-width: 100%; height: auto; }
  label { display: block; margin: .3rem 0; }
  label input { margin-left: .5rem; width: 24rem; }
  .progress { font: 13px ui-monospace, monospace; max-height: 14rem; overflow: auto; }
  .outputs { background: #f5f5f5; padding: .5rem; }
  .error { color: #b00020; }
</style>
</head>
<body>
<h1>HyperNodes pipelines</h1>
<label>Token <input id="token" type="password" autocomplete="off" placeholder="only when the server asks for one"></label>
<div id="pipelines"></div>
<script type="module">${SCRIPT}</script>
</body>
</html>
`;
