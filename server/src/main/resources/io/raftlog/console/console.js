// The raftlog console. Reads the node's /api/ endpoints (proto3 JSON of the raftlog.v1 API) and
// draws them. Everything a user or the cluster supplies goes into the page as text (textContent or
// attribute values), never as markup; the page's Content-Security-Policy allows no inline script.
"use strict";

const REFRESH_MS = 2000;
const HISTORY = 30; // rate samples kept per node for the charts (the last minute)
const TAIL_ROWS = 300; // rows the live tail keeps

// ---- DOM helpers ------------------------------------------------------------------------------

/** An element; attrs set as attributes (or on* listeners), children appended (strings as text). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(id, headers, rows) {
  return el("table", { id },
    el("thead", {}, el("tr", {}, headers.map(h => el("th", { class: h.num ? "num" : null }, h.label || h)))),
    el("tbody", {}, rows));
}

function num(v) { return Number(v || 0); }

function fmtRate(v, unit) {
  const abs = Math.abs(v);
  if (abs >= 1e9) return (v / 1e9).toFixed(1) + " G" + unit;
  if (abs >= 1e6) return (v / 1e6).toFixed(1) + " M" + unit;
  if (abs >= 1e3) return (v / 1e3).toFixed(1) + " k" + unit;
  return (abs < 10 ? v.toFixed(1) : v.toFixed(0)) + " " + unit;
}

function fmtBytes(v) {
  v = num(v);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
}

function fmtTime(ms) {
  ms = num(ms);
  return ms > 0 ? new Date(ms).toISOString().replace("T", " ").replace("Z", "") : "";
}

function b64bytes(s) {
  const bin = atob(s || "");
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const SHOW_BYTES = 1024; // a value longer than this is cut in the table

/** A bytes field (base64 in proto3 JSON) as text or hex, as the toggle says. */
function showBytes(b64) {
  const bytes = b64bytes(b64);
  const cut = bytes.length > SHOW_BYTES ? bytes.subarray(0, SHOW_BYTES) : bytes;
  let s;
  if (state.hex) s = Array.from(cut, b => b.toString(16).padStart(2, "0")).join(" ");
  else s = new TextDecoder("utf-8", { fatal: false }).decode(cut);
  return bytes.length > SHOW_BYTES ? s + " … (" + bytes.length + " bytes)" : s;
}

// ---- API --------------------------------------------------------------------------------------

async function api(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const url = "api/" + path + (q.toString() ? "?" + q : "");
  let resp;
  try {
    resp = await fetch(url, { cache: "no-store" });
  } catch (e) {
    throw new Error("this node does not answer (" + e.message + ")");
  }
  let body = null;
  try { body = await resp.json(); } catch (e) { /* not JSON */ }
  if (!resp.ok) {
    const err = new Error((body && body.error) || ("HTTP " + resp.status));
    err.status = resp.status;
    throw err;
  }
  return body;
}

// ---- state and refresh loop -------------------------------------------------------------------

const state = {
  hex: false,
  rates: new Map(), // node id -> {last: traffic sample, points: [{w, r, wb, rb}]}
  tail: null, // {source, stream}
  generation: 0, // bumped on every route change: answers for an older view are dropped
};

let timer = null;
let currentView = null;

function setStatus(text, bad) {
  const s = document.getElementById("status");
  s.textContent = text;
  s.className = bad ? "bad" : "muted";
}

async function refresh() {
  clearTimeout(timer);
  timer = null;
  const gen = state.generation;
  if (currentView && currentView.refresh) {
    try {
      await currentView.refresh(gen);
      if (gen === state.generation) setStatus("updated " + new Date().toLocaleTimeString(), false);
    } catch (e) {
      if (gen === state.generation) setStatus("refresh failed: " + e.message, true);
    }
  }
  schedule();
}

function schedule() {
  clearTimeout(timer);
  timer = document.hidden ? null : setTimeout(refresh, REFRESH_MS);
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) { clearTimeout(timer); timer = null; } else refresh();
});

// ---- routes -----------------------------------------------------------------------------------

function route() {
  const hash = location.hash || "#/";
  const [path, query] = hash.slice(1).split("?");
  const params = new URLSearchParams(query || "");
  state.generation++;
  stopTail();
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", false);
  let view;
  if (path === "/streams") { view = streamsView(params); mark("nav-streams"); }
  else if (path === "/stream") { view = streamView(params.get("name") || ""); mark("nav-streams"); }
  else if (path === "/top") { view = topView(); mark("nav-top"); }
  else { view = overviewView(); mark("nav-overview"); }
  currentView = view;
  const main = document.getElementById("view");
  main.replaceChildren(...view.nodes);
  refresh();
}

function mark(id) { document.getElementById(id).classList.add("active"); }

function link(hash, text, attrs) { return el("a", Object.assign({ href: hash }, attrs || {}), text); }

function hashFor(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return "#" + path + (q.toString() ? "?" + q : "");
}

// ---- Nodes & shards -----------------------------------------------------------------------------

function overviewView() {
  const nodes = el("div", { id: "nodes-box" }, el("p", { class: "muted" }, "Loading…"));
  const shards = el("div", { id: "shards-box" });
  return {
    nodes: [el("h2", {}, "Nodes"), nodes, el("h2", {}, "Shards"), shards],
    async refresh(gen) {
      const answer = await api("cluster");
      if (gen !== state.generation) return;
      const c = answer.cluster;
      document.getElementById("where").textContent =
        "node " + answer.self + " · cluster " + (c.cluster_id || "?") + " · " + c.shards.length + " shards";
      sampleRates(c.nodes);
      nodes.replaceChildren(nodesTable(c, answer.self));
      shards.replaceChildren(shardsTable(c));
    },
  };
}

function sampleRates(nodes) {
  for (const n of nodes) {
    const t = n.traffic;
    if (!t || num(t.at_ms) === 0) continue;
    let r = state.rates.get(n.id);
    if (!r) { r = { last: null, points: [] }; state.rates.set(n.id, r); }
    const last = r.last;
    if (last && num(t.at_ms) > num(last.at_ms)) {
      const dt = (num(t.at_ms) - num(last.at_ms)) / 1000;
      const d = k => (num(t[k]) - num(last[k])) / dt;
      if (d("records_appended") < 0 || d("records_read") < 0) r.points = []; // the node restarted
      else r.points.push({ w: d("records_appended"), wb: d("bytes_appended"), r: d("records_read"), rb: d("bytes_read") });
      if (r.points.length > HISTORY) r.points.shift();
    }
    if (!last || num(t.at_ms) !== num(last.at_ms)) r.last = t;
  }
}

const SVG = "http://www.w3.org/2000/svg";

/** A small line chart of one series of a node's rate samples, with the latest value beside it. */
function chart(id, key, bytesKey, cls) {
  const r = state.rates.get(id);
  const pts = r ? r.points : [];
  if (pts.length === 0) return el("span", { class: "muted" }, r ? "measuring…" : "—");
  const w = 120, h = 24;
  const max = Math.max(1, ...pts.map(p => p[key]));
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", w);
  svg.setAttribute("height", h);
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  const line = document.createElementNS(SVG, "polyline");
  const step = w / (HISTORY - 1);
  const off = w - (pts.length - 1) * step;
  line.setAttribute("points", pts.map((p, i) => (off + i * step).toFixed(1) + "," + (h - 2 - (p[key] / max) * (h - 4)).toFixed(1)).join(" "));
  if (cls) line.setAttribute("class", cls);
  svg.appendChild(line);
  const now = pts[pts.length - 1];
  return el("span", { class: "chart" }, svg, el("span", {}, fmtRate(now[key], "rec/s") + " · " + fmtRate(now[bytesKey], "B/s")));
}

const ROLE = { LEADER: "leader", FOLLOWER: "follower", CANDIDATE: "candidate", UNREACHABLE: "unreachable", OTHER: "other", ROLE_UNKNOWN: "?" };

function nodesTable(c, self) {
  const rows = c.nodes.map(n => {
    const down = n.role === "UNREACHABLE";
    const health = down ? el("span", { class: "bad" }, "unreachable")
      : n.error ? el("span", { class: "warn" }, "serving reads only") : el("span", { class: "ok" }, "serving");
    const http = n.http_address ? el("a", { href: "http://" + n.http_address + "/" }, n.http_address) : el("span", { class: "muted" }, "—");
    const open = n.traffic ? n.traffic.open_consume_streams : "";
    return el("tr", { "data-node": n.id, class: down ? "down" : null },
      el("td", {}, n.id, n.id === self ? el("span", { class: "pill" }, "this node") : null),
      el("td", { class: "mono" }, n.client_address),
      el("td", { class: "mono" }, http),
      el("td", {}, (n.state || "").toLowerCase()),
      el("td", { class: "health" }, health, n.error ? el("div", { class: "muted" }, n.error) : null),
      el("td", {}, ROLE[n.role] || n.role, n.meta_voter ? "" : " (learner)", n.id === c.leader_id ? el("span", { class: "pill leader" }, "meta leader") : null),
      el("td", { class: "num" }, n.replica_count),
      el("td", { class: "num" }, n.leader_count),
      el("td", {}, down ? "" : chart(n.id, "w", "wb")),
      el("td", {}, down ? "" : chart(n.id, "r", "rb", "read")),
      el("td", { class: "num" }, open));
  });
  return table("nodes", ["Node", "Client address", "HTTP", "State", "Health", "Meta group",
    { label: "Replicas", num: true }, { label: "Leads", num: true }, "Produce", "Consume",
    { label: "Open tails", num: true }], rows);
}

/** Each replica's applied index in each shard, from the nodes' own reports: shard -> node -> index. */
function appliedByShard(c) {
  const m = new Map();
  for (const n of c.nodes) for (const r of n.replicas || []) {
    if (!m.has(r.shard)) m.set(r.shard, new Map());
    m.get(r.shard).set(n.id, num(r.applied_index));
  }
  return m;
}

function shardsTable(c) {
  const applied = appliedByShard(c);
  const down = new Set(c.nodes.filter(n => n.role === "UNREACHABLE").map(n => n.id));
  const row = (s, label, byNode) => {
    const leaderApplied = byNode && byNode.has(s.leader_id) ? byNode.get(s.leader_id) : null;
    const replicas = (s.replicas || []).map(id => {
      let cls = "pill", text = id;
      if (id === s.leader_id) { cls += " leader"; text += " (leader)"; }
      else if (down.has(id)) { cls += " down"; text += " (down)"; }
      else if (byNode && byNode.has(id) && leaderApplied !== null) {
        const lag = Math.max(0, leaderApplied - byNode.get(id));
        if (lag > 0) cls += " lagging";
        text += " lag " + lag;
      }
      return el("span", { class: cls }, text);
    });
    const m = s.move;
    const move = m && m.from_node ? m.from_node + " → " + m.to_node + " (" + m.reason + ", since " + fmtTime(m.started_ms) + ")" : "";
    return el("tr", { "data-shard": label },
      el("td", {}, label),
      el("td", { class: "leader" + (s.leader_id ? "" : " bad") }, s.leader_id || "none"),
      el("td", { class: "num" }, s.term),
      el("td", { class: "num" }, s.commit_index),
      el("td", { class: "num" }, s.applied_index),
      el("td", {}, replicas),
      el("td", {}, (s.learners || []).join(", ")),
      el("td", {}, move));
  };
  // A node's own role and indexes in NodeInfo are those of its meta group replica.
  const metaApplied = new Map(c.nodes.filter(n => n.role !== "UNREACHABLE").map(n => [n.id, num(n.applied_index)]));
  const rows = [row(c.meta, "meta", metaApplied), ...c.shards.map(s => row(s, String(s.id), applied.get(s.id)))];
  return table("shards", ["Shard", "Leader", { label: "Term", num: true }, { label: "Commit", num: true },
    { label: "Applied", num: true }, "Replicas (lag in entries behind the leader)", "Learners", "Move in progress"], rows);
}

// ---- Streams ----------------------------------------------------------------------------------

function streamsView(params) {
  const prefix = params.get("prefix") || "";
  const token = params.get("page_token") || "";
  const input = el("input", { type: "text", id: "prefix", placeholder: "name prefix", value: prefix, size: 32 });
  const form = el("form", {
    id: "stream-search",
    onsubmit: e => { e.preventDefault(); location.hash = hashFor("/streams", { prefix: input.value }); },
  }, input, el("button", { type: "submit", id: "search" }, "Search"));
  const box = el("div", { id: "streams-box" }, el("p", { class: "muted" }, "Loading…"));
  return {
    nodes: [el("h2", {}, "Streams"), form, box],
    async refresh(gen) {
      const page = await api("streams", { prefix, page_token: token, page_size: 50 });
      if (gen !== state.generation) return;
      const rows = page.streams.map(s => el("tr", { "data-stream": s.name },
        el("td", { class: "mono" }, link(hashFor("/stream", { name: s.name }), s.name, { class: "stream-link" })),
        el("td", { class: "num" }, s.shard),
        el("td", {}, s.leader_id || "none"),
        el("td", { class: "num" }, s.first_offset),
        el("td", { class: "num" }, s.next_offset),
        el("td", { class: "num" }, fmtBytes(s.stored_bytes)),
        el("td", {}, fmtTime(s.created_ms)),
        el("td", { class: "mono" }, Object.entries(s.settings || {}).map(([k, v]) => el("span", { class: "pill" }, k + "=" + v)))));
      const nav = el("div", { class: "toolbar" },
        token ? link(hashFor("/streams", { prefix }), "« first page") : null,
        page.next_page_token ? link(hashFor("/streams", { prefix, page_token: page.next_page_token }), "next page »", { id: "next-page" }) : null,
        el("span", { class: "muted" }, page.streams.length + " shown"));
      box.replaceChildren(rows.length ? table("streams", ["Name", { label: "Shard", num: true }, "Leader",
        { label: "First offset", num: true }, { label: "Next offset", num: true }, { label: "Stored", num: true },
        "Created", "Settings"], rows) : el("p", { class: "muted" }, "No stream" + (prefix ? " starts with that prefix." : ".")), nav);
    },
  };
}

// ---- One stream -------------------------------------------------------------------------------

function streamView(name) {
  const info = el("div", { id: "stream-info" }, el("p", { class: "muted" }, "Loading…"));
  const from = el("input", { type: "number", id: "from", min: 0, value: 0, style: null });
  const limit = el("input", { type: "number", id: "limit", min: 1, max: 1000, value: 50 });
  const records = el("div", { id: "records-box" });
  const tailBox = el("div", { id: "tail-box" });
  const tailStatus = el("span", { id: "tail-status", class: "muted" }, "not following");
  const hexButton = el("button", { type: "button", id: "hex-toggle", class: state.hex ? "on" : null }, state.hex ? "hex" : "text");
  let shown = null; // the last records answer, redrawn when the text/hex toggle changes

  async function read(newest) {
    try {
      const answer = await api("records", newest ? { stream: name, newest: "true", limit: limit.value } : { stream: name, from: from.value, limit: limit.value });
      shown = answer;
      drawRecords();
    } catch (e) {
      records.replaceChildren(el("div", { class: "error-box" }, e.message));
    }
  }

  function drawRecords() {
    if (!shown) return;
    const recs = shown.page.records;
    records.replaceChildren(
      el("p", { class: "muted" }, recs.length + " record(s)" + (shown.newest_first ? ", newest first" : "") +
        "; stream offsets " + shown.first_offset + " to " + shown.page.next_offset),
      recordsTable("records", recs));
  }

  hexButton.addEventListener("click", () => {
    state.hex = !state.hex;
    hexButton.textContent = state.hex ? "hex" : "text";
    hexButton.classList.toggle("on", state.hex);
    drawRecords();
  });

  const tailButton = el("button", { type: "button", id: "tail-toggle" }, "Follow live tail");
  tailButton.addEventListener("click", () => {
    if (state.tail) { stopTail(); tailButton.textContent = "Follow live tail"; tailStatus.textContent = "stopped"; }
    else { startTail(name, tailBox, tailStatus); tailButton.textContent = "Stop"; }
  });

  return {
    nodes: [
      el("h2", {}, "Stream ", el("span", { class: "mono", id: "stream-name" }, name)),
      info,
      el("h2", {}, "Records"),
      el("div", { class: "toolbar" },
        el("label", {}, "from offset ", from),
        el("label", {}, "limit ", limit),
        el("button", { type: "button", id: "read-from", onclick: () => read(false) }, "Read"),
        el("button", { type: "button", id: "read-newest", onclick: () => read(true) }, "Newest first"),
        el("span", {}, "values as "), hexButton),
      records,
      el("h2", {}, "Live tail"),
      el("div", { class: "toolbar" }, tailButton, tailStatus),
      tailBox,
    ],
    async refresh(gen) {
      let s;
      try {
        s = await api("stream", { name });
      } catch (e) {
        if (gen === state.generation) info.replaceChildren(el("div", { class: "error-box" }, e.message));
        throw e;
      }
      if (gen !== state.generation) return;
      const r = s.retention || {};
      const limitText = (v, f) => num(v) === 0 ? "none" : f(v);
      const facts = [
        ["Shard", s.shard], ["Leader", s.leader_id || "none"], ["Replicas", (s.replicas || []).join(", ")],
        ["First offset", s.first_offset], ["Next offset", s.next_offset], ["Stored", fmtBytes(s.stored_bytes)],
        ["Created", fmtTime(s.created_ms)],
        ["Retention", "age " + limitText(r.max_age_ms, v => num(v) / 1000 + " s") + ", bytes " + limitText(r.max_bytes, fmtBytes) +
          ", records " + limitText(r.max_records, String) + (r.hold_for_consumers ? ", held for consumers" : "")],
        ["Settings", Object.keys(s.settings || {}).length ? Object.entries(s.settings).map(([k, v]) => el("span", { class: "pill mono" }, k + "=" + v)) : "none"],
      ];
      info.replaceChildren(el("dl", { class: "facts" }, facts.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])));
    },
  };
}

function recordsTable(id, recs) {
  return table(id, [{ label: "Offset", num: true }, "Time", "Key", "Headers", "Value"], recs.map(r =>
    el("tr", { "data-offset": r.offset },
      el("td", { class: "num" }, r.offset),
      el("td", { class: "mono" }, fmtTime(r.timestamp_ms)),
      el("td", { class: "mono value" }, r.key ? showBytes(r.key) : ""),
      el("td", { class: "mono" }, (r.headers || []).map(h => el("span", { class: "pill" }, h.key + "=" + showBytes(h.value)))),
      el("td", { class: "mono value" }, showBytes(r.value)))));
}

// ---- Live tail (Server-Sent Events from /api/tail) ----------------------------------------------

function startTail(name, box, status) {
  stopTail();
  const tbl = recordsTable("tail", []);
  box.replaceChildren(tbl);
  const body = tbl.querySelector("tbody");
  // From the stream's next offset (the node picks it); the browser reconnects by itself after a
  // failure or when the node ends the stream, resuming at the last event's id (the next offset).
  const source = new EventSource("api/tail?" + new URLSearchParams({ stream: name }));
  state.tail = { source, name };
  status.textContent = "connecting…";
  source.addEventListener("open", () => { status.textContent = "following (new records appear below)"; status.className = "ok"; });
  source.addEventListener("records", e => {
    const answer = JSON.parse(e.data);
    const rows = recordsTable("x", answer.records || []).querySelectorAll("tbody tr");
    for (const r of rows) body.appendChild(r);
    while (body.rows.length > TAIL_ROWS) body.deleteRow(0);
    status.textContent = "following; next offset " + answer.next_offset;
  });
  source.addEventListener("failure", e => {
    let msg = "the node's stream failed";
    try { msg = JSON.parse(e.data).error; } catch (x) { /* keep the default */ }
    status.textContent = msg + "; reconnecting…";
    status.className = "warn";
  });
  source.addEventListener("error", () => {
    if (source.readyState === EventSource.CLOSED) {
      // The node refused the stream (e.g. too many tails open): EventSource does not retry then.
      status.textContent = "the node refused the live tail (too many open, or the stream is gone); press Stop and try again";
      status.className = "bad";
    } else {
      status.textContent = "reconnecting…";
      status.className = "warn";
    }
  });
}

function stopTail() {
  if (state.tail) {
    state.tail.source.close();
    state.tail = null;
  }
}

// ---- Top streams ------------------------------------------------------------------------------

function topView() {
  const order = el("select", { id: "order" }, el("option", { value: "bytes" }, "by bytes"), el("option", { value: "records" }, "by records"));
  const box = el("div", { id: "top-box" }, el("p", { class: "muted" }, "Loading…"));
  order.addEventListener("change", () => refresh());
  return {
    nodes: [el("h2", {}, "Busiest streams now"),
      el("p", { class: "muted" }, "Appends and reads per second over the last window, summed over the nodes. " +
        "Metrics carry no per-stream labels; this is where a hot stream shows."),
      el("div", { class: "toolbar" }, order), box],
    async refresh(gen) {
      let t;
      try {
        t = await api("top", { order: order.value, limit: 20 });
      } catch (e) {
        if (gen !== state.generation) return;
        // 503: the cluster cannot tell now (or an older node): said in the box, not an error.
        box.replaceChildren(el("div", { class: e.status === 503 ? "notice" : "error-box" }, e.message));
        if (e.status === 503) return;
        throw e;
      }
      if (gen !== state.generation) return;
      const rows = (t.streams || []).map(s => el("tr", { "data-stream": s.stream },
        el("td", { class: "mono" }, link(hashFor("/stream", { name: s.stream }), s.stream)),
        el("td", { class: "num" }, s.shard),
        el("td", { class: "num" }, fmtRate(num(s.records_appended_per_sec), "rec/s")),
        el("td", { class: "num" }, fmtRate(num(s.bytes_appended_per_sec), "B/s")),
        el("td", { class: "num" }, fmtRate(num(s.records_read_per_sec), "rec/s")),
        el("td", { class: "num" }, fmtRate(num(s.bytes_read_per_sec), "B/s"))));
      const missing = (t.unreachable_nodes || []).length ? el("div", { class: "notice" }, "No answer from node(s) " + t.unreachable_nodes.join(", ") + ": their traffic is missing.") : null;
      box.replaceChildren(missing, rows.length ? table("top", ["Stream", { label: "Shard", num: true },
        { label: "Appended", num: true }, { label: "Appended bytes", num: true },
        { label: "Read", num: true }, { label: "Read bytes", num: true }], rows)
        : el("p", { class: "muted" }, "No traffic in the last " + Math.round(num(t.window_ms) / 1000) + " s."));
    },
  };
}

window.addEventListener("hashchange", route);
route();
