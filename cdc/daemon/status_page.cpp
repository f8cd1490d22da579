#include "cdc/daemon/status_page.h"

namespace cdc::daemon {

namespace {

// Element classes the page renders per pipeline (control_api_it reads them back from the DOM
// of a headless Chromium): name, state, position, committed, ckpt-id, ckpt-age, lag, eps,
// events, queue, restarts, server (the source's, when it names one), error, snap-table, snap-tables
// (a <progress>), lag-chart (an <svg> polyline of the last 60 lag samples), and per snapshot table
// an <li class="snap-table-row" data-table data-state> holding a <progress class="snap-table-bar">
// (max 100, value the API's percent; no value, i.e. indeterminate, without an estimate) and its
// snap-table-text. <body data-polls> counts the answered polls.
constexpr std::string_view kPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sluice status</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;background:#f6f7f9;color:#1d232b}
h1{font-size:1.3em;margin:0 0 .8em}
section{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:1em;margin-bottom:1em}
h2{font-size:1.1em;margin:0 0 .6em}
.state{padding:.1em .5em;border-radius:3px;font-weight:600;background:#ddd}
.state.running{background:#c8f0cf}.state.paused{background:#fde9a9}
.state.failed,.state.restarting{background:#f8c4c4}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3em 1em;margin:0}
dt{color:#5b6672}dd{margin:0;font-family:ui-monospace,monospace;word-break:break-all}
svg{background:#fafbfc;border:1px solid #e3e7eb}.error{color:#a61b1b}
#fetch-error{color:#a61b1b}
.snap-table-list{list-style:none;margin:0;padding:0}
.snap-table-row progress{width:12em;margin-right:.5em}
.snap-table-row[data-state=waiting]{color:#5b6672}
</style></head>
<body data-polls="0"><h1>sluice</h1><p id="fetch-error"></p><div id="pipelines"></div>
<script>
"use strict";
const lagHistory = {};
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function row(dl, label, cls, value) {
  dl.appendChild(el("dt", null, label));
  const dd = el("dd", cls, value);
  dl.appendChild(dd);
  return dd;
}
function num(x, digits) { return x === null || x === undefined ? "-" : x.toFixed(digits); }
function render(p) {
  const s = el("section", "pipeline");
  s.dataset.name = p.name;
  const h = el("h2");
  h.appendChild(el("span", "name", p.name));
  h.appendChild(document.createTextNode(" "));
  h.appendChild(el("span", "state " + p.state, p.state));
  s.appendChild(h);
  const dl = el("dl");
  row(dl, "position", "position", p.position);
  row(dl, "committed", "committed", p.committed_position);
  row(dl, "last checkpoint", "ckpt-id", p.last_checkpoint ? String(p.last_checkpoint.id) : "-");
  row(dl, "checkpoint age (s)", "ckpt-age",
      p.last_checkpoint ? num(p.last_checkpoint.age_seconds, 1) : "-");
  row(dl, "lag (s)", "lag", num(p.lag_seconds, 3));
  row(dl, "events/s", "eps", num(p.events_per_second, 1));
  row(dl, "events written", "events", String(p.events_written));
  row(dl, "queue", "queue", p.queue.events + " events, " + p.queue.bytes + " bytes (" +
      (100 * p.queue.fill).toFixed(1) + "% full)");
  row(dl, "restarts", "restarts", String(p.restarts));
  if (p.source_server) row(dl, "source server", "server", p.source_server);
  const snap = p.snapshot;
  if (snap.tables_total > 0 || snap.reading) {
    const bar = el("progress", "snap-tables");
    bar.max = snap.tables_total; bar.value = snap.tables_done;
    const dd = row(dl, "snapshot tables", null, "");
    dd.appendChild(bar);
    dd.appendChild(document.createTextNode(" " + snap.tables_done + "/" + snap.tables_total));
    row(dl, "snapshot table", "snap-table",
        (snap.table || "-") + " (" + snap.rows + " rows, " + snap.chunks + " chunks)");
  }
  if (snap.tables.length > 0) {
    const list = el("ul", "snap-table-list");
    for (const t of snap.tables) {
      const li = el("li", "snap-table-row");
      li.dataset.table = t.table;
      li.dataset.state = t.state;
      const bar = el("progress", "snap-table-bar");
      if (t.percent !== null) { bar.max = 100; bar.value = t.percent; }
      li.appendChild(bar);
      li.appendChild(el("span", "snap-table-text", t.table + " " + t.state + ": " + t.rows_read +
          (t.rows_estimated === null ? "" : " of ~" + t.rows_estimated) + " rows" +
          (t.percent === null ? "" : " (" + t.percent.toFixed(1) + "%)")));
      list.appendChild(li);
    }
    row(dl, "snapshot by table", "snap-by-table", "").appendChild(list);
  }
  row(dl, "last error", "error",
      p.last_error ? p.last_error.time + " " + p.last_error.message : "-");
  s.appendChild(dl);
  const hist = lagHistory[p.name] || (lagHistory[p.name] = []);
  hist.push(p.lag_seconds === null ? 0 : p.lag_seconds);
  if (hist.length > 60) hist.shift();
  const max = Math.max(1, ...hist);
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "lag-chart");
  svg.setAttribute("width", "300"); svg.setAttribute("height", "60");
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("fill", "none"); line.setAttribute("stroke", "#2a6fdb");
  line.setAttribute("points", hist.map((v, i) => (i * 5) + "," + (58 - 56 * v / max)).join(" "));
  svg.appendChild(line);
  const cap = el("div", null, "lag, last " + hist.length + " s (max " + max.toFixed(2) + " s)");
  s.appendChild(cap); s.appendChild(svg);
  return s;
}
async function poll() {
  try {
    const r = await fetch("api/v1/pipelines", {cache: "no-store"});
    const body = await r.json();
    const root = document.getElementById("pipelines");
    root.replaceChildren(...body.pipelines.map(render));
    document.getElementById("fetch-error").textContent = "";
  } catch (e) {
    document.getElementById("fetch-error").textContent = "cannot read the API: " + e;
  }
  document.body.dataset.polls = String(Number(document.body.dataset.polls) + 1);
}
poll();
setInterval(poll, 1000);
</script></body></html>
)HTML";

}  // namespace

std::string_view status_page_html() { return kPage; }

}  // namespace cdc::daemon
