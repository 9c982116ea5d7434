"use strict";
// ---- The playground: train from the page and watch it happen. ----
const play = { info: null, runs: new Map(), order: [], group: [], groupKey: "", focus: null, stream: null, streamIds: "",
               drawQueued: false, loaded: new Set(), everyone: false, told: new Set(), defaults: null, hide: false,
               lessons: [], lesson: null, lessonGroup: null };
const palette = ["#2f6fed", "#e4572e", "#17a673", "#a259ff", "#e0a100", "#0fb5ba", "#d6336c", "#5c7080"];
// The settings shown at once; the others are under "More settings". Every one comes from the server's table.
const primarySettings = ["activation", "hidden", "lr", "batch_size", "momentum", "epochs", "seed", "precision", "augment"];

// Every write is JSON, the only kind the server takes: no form on another site can send one unasked.
async function api(method, path, body) {
  const write = method !== "GET";
  const response = await fetch(path, { method, headers: write ? { "Content-Type": "application/json" } : {},
                                       body: write ? JSON.stringify(body || {}) : undefined });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || ("HTTP " + response.status));
  return answer;
}
function trainError(message) {
  $("train").classList.toggle("has-error", !!message);
  const line = $("train-error");
  line.hidden = !message;
  line.textContent = message || "";
}
// Runs of this visitor's that the server removed to keep its folder under its limit, said once each.
function tellRemoved(removed) {
  const fresh = (removed || []).filter((r) => !play.told.has(r.id));
  if (!fresh.length) return;
  fresh.forEach((r) => play.told.add(r.id));
  const line = $("train-notice");
  line.hidden = false;
  line.textContent = fresh.map((r) => "“" + r.title + "” was " + r.reason + ".").join(" ");
}
function activationSpec() {
  const name = $("f-activation").value, p = $("f-parameter").value.trim();
  return p && !$("f-parameter").disabled ? name + ":" + p : name;
}
// The form, built from the settings the server describes (GET /api/playground): the same names,
// defaults and rules as `trainer train --help`, so the page offers exactly what the API accepts.
function buildForm(settings) {
  const primary = $("f-primary"), more = $("f-more-settings");
  primary.textContent = "";
  more.textContent = "";
  for (const s of settings) {
    const label = document.createElement("label");
    label.title = s.help + " (trainer " + s.flag + ")";
    let input;
    if (s.control === "choice") {
      input = document.createElement("select");
      for (const c of s.choices) { const o = document.createElement("option"); o.value = c; o.textContent = c; input.append(o); }
    } else {
      input = document.createElement("input");
      if (s.control === "checkbox") input.type = "checkbox";
      if (s.control === "number") {
        input.type = "number";
        input.step = s.whole ? "1" : "any";
        if (s.min != null) input.min = s.min;
        if (s.max != null) input.max = s.max;
      }
      if (s.default == null) input.placeholder = s.unset;
      if (s.example) input.placeholder = s.example;
    }
    input.id = "f-" + s.name;
    input.name = s.name;
    if (s.control === "checkbox") {
      label.className = "check";
      label.append(input, " " + s.label);
    } else if (s.name === "activation") {
      const pair = document.createElement("span"), parameter = document.createElement("input");
      pair.className = "pair";
      Object.assign(parameter, { id: "f-parameter", type: "number", step: "any", title: "α or β", placeholder: "α" });
      pair.append(input, parameter);
      // Each activation's formula and curves, from the gallery.
      const gallery = document.createElement("a");
      Object.assign(gallery, { id: "f-gallery", href: "/gallery.html#relu", target: "_blank", textContent: "what is it?", className: "gallery-link" });
      const head = document.createElement("span");
      head.append(s.label, " · ", gallery);
      label.append(head, pair);
    } else {
      label.append(s.label, input);
    }
    (primarySettings.includes(s.name) ? primary : more).append(label);
  }
  const values = Logic.formValues(settings);
  for (const s of settings) {
    const input = $("f-" + s.name);
    if (s.control === "checkbox") input.checked = values[s.name];
    else input.value = s.name === "activation" ? values[s.name].split(",")[0].split(":")[0] : values[s.name];
  }
  $("f-activation").addEventListener("change", syncParameter);
}
// The request the form makes: every setting with a value, the activation with its α or β, the data set.
function baseConfig() {
  const values = {};
  for (const s of play.info.settings) {
    const input = $("f-" + s.name);
    values[s.name] = s.control === "checkbox" ? input.checked : input.value;
  }
  values.activation = activationSpec();
  return Object.assign(Logic.requestFromForm(play.info.settings, values), { dataset: $("f-dataset").value });
}
// The runs a press of Run starts: one, or one per compared value.
function groupConfigs() {
  return Logic.compare(baseConfig(), $("f-vary").value, $("f-values").value);
}
function groupRuns() { return play.group.map((id) => play.runs.get(id)).filter(Boolean); }
const activeStatus = (s) => s === "queued" || s === "running" || s === "paused";
const overStatus = (s) => s === "finished" || s === "cancelled" || s === "failed";

// A group is made paused and started once all of it is made: a comparison refused halfway (a
// cap) is taken back whole, each run cancelled and deleted before it trained a batch.
async function createGroup(paused) {
  const configs = groupConfigs();
  let made = [];
  try {
    for (const config of configs) {
      const run = await api("POST", "/api/runs", Object.assign({ paused: true }, config));
      tellRemoved(run.removed);
      made.push(run);
    }
  } catch (error) {
    for (const run of made) await api("DELETE", "/api/runs/" + run.id).catch(() => {});
    for (const run of made) await api("DELETE", "/api/runs/" + run.id).catch(() => {});
    throw error;
  }
  if (!paused) made = await Promise.all(made.map((run) => api("POST", "/api/runs/" + run.id + "/resume")));
  for (const run of play.runs.values()) run.shown = false;
  play.group = made.map((r) => r.id);
  play.groupKey = JSON.stringify(configs);
  made.forEach((r) => adopt(r, true));
  play.focus = made[0].id;
  await refreshRuns();
  readAgain();
}
async function pressed(button, action) {
  button.disabled = true;
  trainError("");
  try { await action(); } catch (error) { trainError(error.message); } finally { button.disabled = false; updateButtons(); }
}
$("run").addEventListener("click", () => pressed($("run"), async () => {
  const runs = groupRuns(), key = JSON.stringify(groupConfigs());
  if (runs.length && key === play.groupKey && runs.some((r) => r.status === "paused")) {
    for (const r of runs) if (r.status === "paused") await api("POST", "/api/runs/" + r.id + "/resume");
    await refreshRuns();
  } else {
    await createGroup(false);
  }
}));
$("pause").addEventListener("click", () => pressed($("pause"), async () => {
  for (const r of groupRuns()) if (r.status === "running" || r.status === "queued") await api("POST", "/api/runs/" + r.id + "/pause");
  await refreshRuns();
}));
$("step").addEventListener("click", () => pressed($("step"), async () => {
  let runs = groupRuns();
  const key = JSON.stringify(groupConfigs());
  if (!runs.length || key !== play.groupKey || runs.every((r) => !activeStatus(r.status))) { await createGroup(true); runs = groupRuns(); }
  for (const r of runs) if (r.status === "running" || r.status === "queued") await api("POST", "/api/runs/" + r.id + "/pause");
  for (const r of runs) if (activeStatus(r.status)) await api("POST", "/api/runs/" + r.id + "/step");
  await refreshRuns();
}));
$("reset").addEventListener("click", () => pressed($("reset"), async () => {
  for (const r of groupRuns()) {
    if (activeStatus(r.status)) await api("DELETE", "/api/runs/" + r.id).catch(() => {});
    await api("DELETE", "/api/runs/" + r.id).catch(() => {});
  }
  play.group = [];
  await createGroup(true);
}));
function updateButtons() {
  const runs = groupRuns();
  $("pause").disabled = !runs.some((r) => r.status === "running" || r.status === "queued");
  const running = runs.filter((r) => r.status === "running").length, waiting = runs.filter((r) => r.status === "queued").length;
  const paused = runs.filter((r) => r.status === "paused").length;
  const failed = runs.filter((r) => r.status === "failed").length;
  const parts = [running && running + " training", waiting && waiting + " waiting for a turn", paused && paused + " paused"].filter(Boolean);
  // A run that could not start (no data, a diverged loss) is failed, never "done".
  const over = failed ? (failed === runs.length ? "failed: " : failed + " failed: ") + "see the run's error below" : "done: change a setting and press Run for another";
  $("train-status").textContent = runs.length ? (parts.length ? parts.join(", ") : over) : "";
}
function syncParameter() {
  const a = (play.info ? play.info.activations : []).find((x) => x.name === $("f-activation").value);
  $("f-gallery").href = "/gallery.html#" + $("f-activation").value;
  const has = a && a.parameter !== null;
  $("f-parameter").disabled = !has;
  $("f-parameter").placeholder = has ? String(a.parameter) : "—";
  if (!has) $("f-parameter").value = "";
  $("f-lr").placeholder = a ? "auto (" + a.lr + ")" : "auto";
}
$("f-vary").addEventListener("change", () => { const v = $("f-vary").value; $("f-values").value = v ? Logic.compareExamples[v] : ""; $("f-values").disabled = !v; });

// The runs: the server's list merged with what the events told, every second and a half.
function adopt(summary, shown) {
  let run = play.runs.get(summary.id);
  if (!run) {
    run = { id: summary.id, colour: colourFor(summary.id), points: [], epochs: [], live: null, shown: !!shown };
    play.runs.set(summary.id, run);
  }
  Object.assign(run, { title: summary.title, status: summary.status, config: summary.config, error: summary.error, warning: summary.warning,
                       test_accuracy: summary.test_accuracy, epochs_completed: summary.epochs_completed,
                       progress: summary.progress, last_epoch: summary.last_epoch, owner: summary.owner,
                       mine: summary.mine, editable: summary.editable, place: summary.place, lesson: summary.lesson });
  return run;
}
// Each run keeps its colour across reloads: the colours handed out are remembered in this browser.
const colourKey = "digit-trainer-run-colours";
function colourFor(id) {
  let kept = null;
  try { kept = JSON.parse(localStorage.getItem(colourKey)); } catch (_) { /* storage off: colours by order */ }
  if (!kept || typeof kept.next !== "number" || typeof kept.runs !== "object") kept = { next: 0, runs: {} };
  if (!(id in kept.runs)) {
    kept.runs[id] = kept.next++;
    const ids = Object.keys(kept.runs);
    for (const old of ids.slice(0, Math.max(0, ids.length - 500))) delete kept.runs[old];
  }
  try { localStorage.setItem(colourKey, JSON.stringify(kept)); } catch (_) { /* kept for this page only */ }
  return palette[kept.runs[id] % palette.length];
}
async function refreshRuns() {
  let list;
  try {
    const answer = await api("GET", "/api/runs");
    list = answer.runs;
    tellRemoved(answer.removed);
  } catch (_) { return; }
  const seen = new Set(list.map((r) => r.id));
  for (const id of [...play.runs.keys()]) if (!seen.has(id)) { play.runs.delete(id); play.loaded.delete(id); }
  const newest = list.find((r) => r.editable !== false);
  if (play.runs.size === 0 && newest) { adopt(newest, true); play.focus = newest.id; }
  for (const summary of list) adopt(summary, false);
  play.order = list.map((r) => r.id);
  play.group = play.group.filter((id) => play.runs.has(id));
  if (play.focus && !play.runs.has(play.focus)) play.focus = null;
  renderRuns();
  renderLesson();
  follow();
  refreshReaders();
  updateButtons();
  queueDraw();
}
// One event stream for the charted runs that still train; finished ones are read once.
function follow() {
  const shown = [...play.runs.values()].filter((r) => r.shown);
  for (const r of shown) if ((overStatus(r.status) || r.status === "interrupted") && !play.loaded.has(r.id)) loadHistory(r);
  const ids = shown.filter((r) => !overStatus(r.status) && r.status !== "interrupted").map((r) => r.id).sort().join(",");
  if (ids === play.streamIds) return;
  if (play.stream) play.stream.close();
  play.stream = null;
  play.streamIds = ids;
  if (!ids) return;
  for (const id of ids.split(",")) { const r = play.runs.get(id); r.points = []; r.epochs = []; play.loaded.add(id); }
  const stream = new EventSource("/api/events?runs=" + ids);
  stream.onmessage = (message) => take(JSON.parse(message.data));
  // The stream ends when its runs do; the browser would reconnect and replay, so it is closed instead.
  stream.onerror = () => { stream.close(); if (play.stream === stream) { play.stream = null; play.streamIds = ""; } };
  play.stream = stream;
}
async function loadHistory(run) {
  play.loaded.add(run.id);
  try {
    const details = await api("GET", "/api/runs/" + run.id);
    run.points = []; run.epochs = [];
    for (const event of details.series) take(event, true);
    for (const record of details.epochs) run.epochs.push(record);
    if (details.live) run.live = details.live;
    queueDraw();
  } catch (_) { play.loaded.delete(run.id); }
}
function take(event, quiet) {
  const run = play.runs.get(event.run);
  if (!run) return;
  const statusChanged = Logic.reduce(run, event);
  if (quiet) return;
  if (statusChanged) { renderRuns(); updateButtons(); refreshReaders(); }
  queueDraw();
}
function queueDraw() {
  if (play.drawQueued) return;
  play.drawQueued = true;
  requestAnimationFrame(() => { play.drawQueued = false; drawCharts(); drawFocus(); renderProgress(); });
}

// The runs table.
function renderRuns() {
  const body = $("runs").tBodies[0];
  // Newest first, as the server lists them; runs not listed yet (just made) on top.
  const all = [...play.runs.values()].sort((a, b) => {
    const i = play.order.indexOf(a.id), j = play.order.indexOf(b.id);
    return (i < 0 ? -1 : i) - (j < 0 ? -1 : j) || (a.id < b.id ? 1 : -1);
  });
  const { shown: runs, hidden } = Logic.listed(all, play.everyone);
  $("everyone").hidden = !hidden && !play.everyone;
  $("everyone-count").textContent = play.everyone ? "" : " (" + hidden + ")";
  $("runs-empty").hidden = runs.length > 0;
  $("runs").hidden = runs.length === 0;
  // A row is rebuilt only when what it shows changes: a row replaced between a press and its
  // release would swallow the click, and rows are re-rendered on every status change.
  const kept = new Map([...body.rows].filter((r) => r.dataset.sig).map((r) => [r.dataset.run, r]));
  const nodes = [];
  for (const run of runs) {
    const sig = JSON.stringify([run.status, run.place ?? null, run.title, run.id === play.focus, run.error || "", run.warning || "", run.test_accuracy ?? null, run.shown, run.colour, run.editable ?? true]);
    const old = kept.get(run.id);
    if (old && old.dataset.sig === sig) {
      nodes.push(old);
      if (old.nextElementSibling && !old.nextElementSibling.dataset.run) nodes.push(old.nextElementSibling);
      continue;
    }
    const row = document.createElement("tr");
    row.dataset.run = run.id;
    row.dataset.sig = sig;
    row.className = run.id === play.focus ? "focus" : "";
    const cells = [0, 1, 2, 3, 4, 5, 6].map(() => document.createElement("td"));
    const tick = document.createElement("input");
    tick.type = "checkbox"; tick.checked = run.shown; tick.title = "show on the charts";
    tick.addEventListener("change", () => { run.shown = tick.checked; follow(); queueDraw(); });
    cells[0].append(tick);
    const name = document.createElement("span");
    name.className = "name";
    name.innerHTML = '<span class="swatch"></span>';
    name.firstChild.style.background = run.colour;
    name.append(run.title);
    name.title = run.id;
    if (run.mine === false) {
      const by = document.createElement("span");
      by.className = "owner";
      by.textContent = " · " + run.owner;
      by.title = "someone else's run: you can watch it and read digits with it, not change it";
      name.append(by);
    }
    name.addEventListener("click", () => { play.focus = run.id; run.shown = true; renderRuns(); follow(); queueDraw(); });
    cells[1].append(name);
    cells[2].textContent = Logic.statusText(run);
    cells[2].className = "status-" + run.status;
    if (run.error) cells[2].title = run.error;
    cells[3].innerHTML = '<span class="bar"><span></span></span> <span class="epochs"></span>';
    cells[4].className = "heldout";
    cells[5].textContent = run.test_accuracy != null ? (100 * run.test_accuracy).toFixed(2) + "%" : "";
    cells[6].className = "actions";
    const action = (label, title, fn) => {
      const b = document.createElement("button");
      b.type = "button"; b.textContent = label; b.title = title; b.dataset.action = label.toLowerCase();
      b.addEventListener("click", () => pressed(b, async () => { await fn(); await refreshRuns(); }));
      cells[6].append(b);
    };
    if (run.editable === false) { /* someone else's: read-only */ }
    else if (run.status === "running" || run.status === "queued") action("Pause", "pause this run", () => api("POST", "/api/runs/" + run.id + "/pause"));
    if (run.editable !== false) {
      if (run.status === "paused" || run.status === "interrupted") action("Resume", "continue this run", () => api("POST", "/api/runs/" + run.id + "/resume"));
      if (run.status === "paused") action("Step", "train one batch", () => api("POST", "/api/runs/" + run.id + "/step"));
      if (activeStatus(run.status)) action("Cancel", "stop this run for good", () => api("DELETE", "/api/runs/" + run.id));
      else action("Delete", "delete this run and its files", () => api("DELETE", "/api/runs/" + run.id));
    }
    row.append(...cells);
    // Why it failed, or (finished) why it learned nothing: the server's diagnosis under the row.
    const said = run.status === "failed" ? run.error : run.warning;
    if (said) {
      const note = document.createElement("tr"), cell = document.createElement("td");
      cell.colSpan = 7; cell.className = run.status === "failed" ? "error" : "warning"; cell.textContent = said;
      note.append(cell);
      nodes.push(row, note);
    } else {
      nodes.push(row);
    }
  }
  if (nodes.length !== body.childNodes.length || nodes.some((n, i) => n !== body.childNodes[i])) body.replaceChildren(...nodes);
  renderProgress();
}
function renderProgress() {
  for (const row of $("runs").tBodies[0].rows) {
    const run = play.runs.get(row.dataset.run);
    if (!run || !row.cells[3]) continue;
    const total = run.config ? run.config.epochs : 1;
    const done = run.status === "finished" ? total : (run.progress ?? run.epochs_completed ?? 0);
    const bar = row.cells[3].querySelector(".bar span");
    if (bar) bar.style.width = Math.min(100, 100 * done / total).toFixed(1) + "%";
    const label = row.cells[3].querySelector(".epochs");
    if (label) label.textContent = done.toFixed(done % 1 ? 1 : 0) + "/" + total;
    const last = run.points[run.points.length - 1];
    const heldOut = run.epochs.length ? run.epochs[run.epochs.length - 1].validationAccuracy : last ? last.acc : run.last_epoch ? run.last_epoch.validationAccuracy : null;
    row.cells[4].textContent = heldOut != null ? (100 * heldOut).toFixed(2) + "%" : "";
  }
}

// Charts: runs on shared axes.
function axes(canvas, xMax, yMin, yMax, log, format) {
  const g = Inside.sized(canvas), r = window.devicePixelRatio || 1, W = canvas.width, H = canvas.height;
  const left = 44 * r, right = 8 * r, top = 8 * r, bottom = 20 * r;
  g.clearRect(0, 0, W, H);
  const scale = Logic.axis(yMin, yMax, log), ticks = scale.ticks;
  const X = (x) => left + x / xMax * (W - left - right), Y = (v) => top + (1 - scale.at(v)) * (H - top - bottom);
  g.font = (10 * r) + "px system-ui"; g.fillStyle = Inside.colour("--muted"); g.strokeStyle = Inside.colour("--line"); g.lineWidth = 1;
  g.textAlign = "right";
  for (const t of ticks) { const y = Y(t); g.beginPath(); g.moveTo(left, y); g.lineTo(W - right, y); g.stroke(); g.fillText(format(t), left - 4 * r, y + 3 * r); }
  g.textAlign = "center";
  const step = Math.max(1, Math.ceil(xMax / 10));
  for (let e = 0; e <= xMax; e += step) g.fillText(String(e), X(e), H - 6 * r);
  return { g, X, Y, r };
}
// Symbols at points: ▲ for a value clipped at the top, ○ for an exact zero on a log axis's floor.
function marks(frame, points, colour, symbol) {
  const { g, X, Y, r } = frame;
  g.fillStyle = colour; g.font = (9 * r) + "px system-ui"; g.textAlign = "center";
  for (const p of points) g.fillText(symbol, X(p[0]), Y(p[1]) + (symbol === "▲" ? 8 * r : 3 * r));
}
// A gradient norm's line on a log axis: an exact 0 sits on the floor, marked ○, instead of vanishing.
function gradientLine(frame, points, colour, range) {
  line(frame, points.map(([x, v]) => [x, v === 0 ? range.floor : v > 0 ? v : null]), colour, false);
  marks(frame, points.filter(([, v]) => v === 0).map(([x]) => [x, range.floor]), colour, "○");
}
// Tick labels of a gradient axis: the floor reads 0 where zeros sit on it.
function gradientLabel(range) {
  return (v) => (range.hasZero && v === range.floor ? "0" : v.toExponential(0));
}
function line(frame, points, colour, dashed, dots) {
  const { g, X, Y, r } = frame;
  const valid = points.filter((p) => p[1] != null && isFinite(p[1]));
  if (!valid.length) return;
  g.strokeStyle = colour; g.fillStyle = colour; g.lineWidth = 1.8 * r; g.setLineDash(dashed ? [5 * r, 4 * r] : []);
  g.beginPath();
  valid.forEach((p, i) => i ? g.lineTo(X(p[0]), Y(p[1])) : g.moveTo(X(p[0]), Y(p[1])));
  g.stroke();
  g.setLineDash([]);
  if (dots) for (const p of valid) { g.beginPath(); g.arc(X(p[0]), Y(p[1]), 2.5 * r, 0, 7); g.fill(); }
}
function drawCharts() {
  const shown = [...play.runs.values()].filter((r) => r.shown);
  const xMax = Math.max(1, ...shown.map((r) => r.config ? r.config.epochs : 1));
  const all = (f) => shown.flatMap((r) => r.points.map(f)).filter((v) => v != null && isFinite(v));
  const losses = all((p) => p.trainLoss).concat(all((p) => p.loss));
  const lossMax = Math.min(Math.max(0.5, ...losses.map((v) => Math.min(v, 5))), 5);
  let frame = axes($("chart-loss"), xMax, 0, lossMax, false, (v) => v.toFixed(2));
  for (const r of shown) {
    line(frame, r.points.map((p) => [p.x, p.trainLoss == null ? null : Math.min(p.trainLoss, lossMax)]), r.colour, false);
    line(frame, r.points.map((p) => [p.x, p.loss == null ? null : Math.min(p.loss, lossMax)]), r.colour, true);
    line(frame, r.epochs.map((e) => [e.epoch, e.validationLoss]), r.colour, true, true);
    // Losses above the top are drawn at it: mark them, so that 3.5e6 does not read as 5.
    marks(frame, r.points.filter((p) => p.trainLoss > lossMax || p.loss > lossMax).map((p) => [p.x, lossMax]), r.colour, "▲");
  }
  const accs = all((p) => p.trainAcc).concat(all((p) => p.acc));
  const accMin = Math.max(0, Math.floor(10 * Math.min(0.9, ...accs)) / 10);
  frame = axes($("chart-accuracy"), xMax, accMin, 1, false, (v) => (100 * v).toFixed(0) + "%");
  for (const r of shown) {
    line(frame, r.points.map((p) => [p.x, p.trainAcc]), r.colour, false);
    line(frame, r.points.map((p) => [p.x, p.acc]), r.colour, true);
    line(frame, r.epochs.map((e) => [e.epoch, e.validationAccuracy]), r.colour, true, true);
  }
  const range = Logic.logRange(shown.flatMap((r) => r.points.map((p) => p.grad[0])));
  frame = axes($("chart-gradient"), xMax, range.lo, range.hi, true, gradientLabel(range));
  for (const r of shown) gradientLine(frame, r.points.map((p) => [p.x, p.grad[0]]), r.colour, range);
  frame = axes($("chart-dead"), xMax, 0, 1, false, (v) => (100 * v).toFixed(0) + "%");
  for (const r of shown) {
    line(frame, r.points.map((p) => [p.x, p.dead.length ? Math.max(...p.dead) : null]), r.colour, false);
    line(frame, r.points.map((p) => [p.x, p.sat.length ? Math.max(...p.sat) : null]), r.colour, true);
  }
}
// The focused run, layer by layer, and its first layer's units.
function drawFocus() {
  const run = play.runs.get(play.focus);
  const box = $("layers"), units = $("units");
  if (!run) { $("focus-title").textContent = "Layer by layer"; box.textContent = ""; units.textContent = ""; return; }
  $("focus-title").textContent = "Layer by layer: " + run.title + " (" + run.status + ")";
  const live = run.live && run.live.probe;
  const layerCount = live ? live.layers.length : (run.config ? run.config.hidden.length : 0);
  if (box.childElementCount !== layerCount || box.dataset.run !== run.id) {
    box.textContent = "";
    box.dataset.run = run.id;
    for (let l = 0; l < layerCount; l++) {
      const row = document.createElement("div");
      row.className = "layer-row";
      row.innerHTML = '<div class="label"></div><figure><canvas class="small"></canvas><figcaption>gradient norm (log, one scale for every layer; ○ = 0)</figcaption></figure>' +
        '<figure><canvas class="small"></canvas><figcaption>dead (solid), saturated (dashed)</figcaption></figure>' +
        '<figure><canvas class="curve"></canvas><figcaption>pre-activations over f and f′</figcaption></figure>';
      box.append(row);
    }
  }
  const xMax = run.config ? run.config.epochs : 1;
  // Every layer's gradient on one axis, so that layer 1's fall against layer 8 shows as a fall.
  const range = Logic.logRange(run.points.flatMap((p) => p.grad));
  [...box.children].forEach((row, l) => {
    const layer = live ? live.layers[l] : null;
    const activation = layer ? layer.activation : (run.config ? run.config.activation[Math.min(l, run.config.activation.length - 1)] : "relu");
    const label = row.querySelector(".label");
    label.innerHTML = "<b></b><span></span>";
    const named = document.createElement("a");
    named.href = "/gallery.html#" + activation.split(":")[0];
    named.target = "_blank";
    named.textContent = activation;
    label.firstChild.append("Layer " + (l + 1) + " · " + (run.config ? run.config.hidden[l] : "") + " ", named);
    label.lastChild.textContent = layer ? (100 * layer.dead_fraction).toFixed(0) + "% dead, " + (100 * layer.saturated_fraction).toFixed(0) + "% saturated, ‖∇W‖ " +
      (layer.gradient_norm == null ? "—" : layer.gradient_norm.toExponential(1)) + (layer.mean_activation == null ? "" : ", mean output " + Logic.short(layer.mean_activation)) : "";
    const [gradCanvas, deadCanvas] = row.querySelectorAll("canvas.small");
    gradientLine(axes(gradCanvas, xMax, range.lo, range.hi, true, gradientLabel(range)), run.points.map((p) => [p.x, p.grad[l]]), run.colour, range);
    const frame = axes(deadCanvas, xMax, 0, 1, false, (v) => (100 * v).toFixed(0) + "%");
    line(frame, run.points.map((p) => [p.x, p.dead[l]]), run.colour, false);
    line(frame, run.points.map((p) => [p.x, p.sat[l]]), run.colour, true);
    if (layer && layer.curve) Inside.curves(row.querySelector("canvas.curve"), layer.curve, layer.histogram, layer.below, layer.above);
  });
  units.textContent = "";
  if (!live) return;
  const side = Math.round(Math.sqrt(atob(live.units[0] ? live.units[0].weights : "").length)) || 28;
  for (const unit of live.units) {
    const fig = document.createElement("figure"), canvas = document.createElement("canvas");
    Inside.weights(canvas, Int8Array.from(atob(unit.weights), (c) => (c.charCodeAt(0) << 24) >> 24), side);
    fig.append(canvas, "unit " + unit.unit + " · " + unit.activity.toFixed(2));
    fig.title = "mean activation " + unit.activity.toFixed(3) + " over the held-out probe images";
    units.append(fig);
  }
}

async function loadPlayground() {
  try {
    play.info = await api("GET", "/api/playground");
  } catch (error) {
    $("train").hidden = true; $("runs-card").hidden = true; $("live").hidden = true;
    return;
  }
  buildForm(play.info.settings);
  // The data sets as this server reads them: each with its folder, the server's own chosen.
  for (const option of $("f-dataset").options) {
    const folder = (play.info.data_folders || {})[option.value];
    if (folder) option.textContent = option.textContent.split(" (")[0] + " (" + folder + ")";
  }
  if (play.info.dataset) $("f-dataset").value = play.info.dataset;
  const L = play.info.limits;
  $("f-hidden").title = "widths such as 256,128 or 128x4; at most " + L.layers + " layers of " + L.width + " here";
  $("f-values").disabled = true;
  syncParameter();
  $("sharing").textContent = "Runs share this machine's cores by taking turns: one trains at a time on all " + play.info.threads +
    " threads, and runs take turns of " + play.info.slice_seconds + " s, one person after another, so each learns exactly as `trainer train` would. " +
    "You may have " + L.runs_per_person + " runs queued or active; past " + L.runs + " runs in training, new ones wait in line. " +
    "A run keeps training if you close this page" + (play.info.you && !play.info.you.manages_all ? "; others see your runs, and only you can change them." : ".");
  $("everyone-box").addEventListener("change", () => { play.everyone = $("everyone-box").checked; renderRuns(); });
  play.defaults = Object.assign(Logic.requestFromForm(play.info.settings, Logic.formValues(play.info.settings)), { dataset: $("f-dataset").value });
  play.lessons = await api("GET", "/api/lessons").then((a) => a.lessons).catch(() => []);
  listLessons();
  await refreshRuns();
  await applyAddress();
  $("train-form").addEventListener("input", writeAddress);
  $("train-form").addEventListener("change", writeAddress);
  setInterval(refreshRuns, 1500);
  window.addEventListener("resize", queueDraw);
}

// ---- The address is the form: a link opens an experiment, a reload keeps it. ----
// Sets the form from the address, has the server check the values (its 400 is shown and nothing
// starts), then opens the lesson and starts when asked. The address then loses `start`, so that a
// reload shows the runs it started instead of starting more.
async function applyAddress() {
  const asked = Logic.readAddress(play.info.settings, location.search);
  play.hide = asked.hide;
  document.body.classList.toggle("projector", asked.hide);
  const problems = asked.problems.slice();
  for (const [name, text] of Object.entries(asked.values)) {
    const s = play.info.settings.find((x) => x.name === name), input = $("f-" + name);
    if (s.control === "checkbox") { input.checked = !["false", "none", "0", ""].includes(text.toLowerCase()); continue; }
    const [choice, parameter] = name === "activation" ? text.split(":") : [text];
    if (s.control === "choice" && (!s.choices.includes(choice) || (name === "activation" && text.includes(",")))) {
      problems.push(name + ": give " + (name === "activation" ? "one of " + s.choices.join(", ") + " (with :VALUE for α or β)" : s.rule) + " (got " + text + ")");
      continue;
    }
    input.value = choice;
    if (name === "activation") { syncParameter(); if (parameter !== undefined) $("f-parameter").value = parameter; }
  }
  if (asked.dataset) {
    if ([...$("f-dataset").options].some((o) => o.value === asked.dataset)) $("f-dataset").value = asked.dataset;
    else problems.push("dataset: give " + [...$("f-dataset").options].map((o) => o.value).join(" or ") + " (got " + asked.dataset + ")");
  }
  if (asked.compare) {
    $("f-vary").value = asked.compare.field;
    $("f-values").disabled = false;
    $("f-values").value = asked.compare.values.replace(/;/g, " ");
  }
  if (problems.length) { trainError("This link cannot be opened as it is: " + problems.join("; ")); return; }
  if (Object.keys(asked.values).length || asked.dataset || asked.compare) {
    try {
      for (const config of groupConfigs()) await api("POST", "/api/runs?check=1", config);
    } catch (error) { trainError("This link cannot be opened as it is: " + error.message); return; }
  }
  if (asked.lesson) await openLesson(asked.lesson);
  if (asked.start) {
    if (asked.lesson && play.lesson) await pressed($("lesson-start"), startLesson);
    else if (!asked.lesson) await pressed($("run"), () => createGroup(false));
    writeAddress();
  }
}
// The address of the form as it stands (and the open lesson, and a projector's view), without a reload.
function writeAddress() {
  let query;
  try {
    const vary = $("f-vary").value;
    query = Logic.address(play.info.settings, baseConfig(), play.defaults, vary ? { field: vary, values: $("f-values").value } : null);
  } catch (_) { return; }  // a field that is not a number yet: the address waits for it
  const extra = [play.lesson && "lesson=" + play.lesson.name, play.hide && "controls=hide"].filter(Boolean).join("&");
  const search = query + (extra ? (query ? "&" : "?") + extra : "");
  if (search !== location.search) history.replaceState(null, "", location.pathname + search);
}
$("copy-link").addEventListener("click", async () => {
  writeAddress();
  const button = $("copy-link");
  try {
    await navigator.clipboard.writeText(location.href);
    button.textContent = "Copied";
  } catch (_) {
    // Not a secure page (a class's server by its address): the browser keeps the clipboard shut.
    window.prompt("Copy this link:", location.href);
  }
  setTimeout(() => { button.textContent = "Copy link"; }, 1500);
});

// ---- Lessons: named experiments whose verdicts come from their own runs (GET /api/lessons). ----
function listLessons() {
  const line = $("lesson-links");
  line.textContent = play.lessons.length ? "Lessons: " : "";
  for (const lesson of play.lessons) {
    const link = document.createElement("a");
    link.href = "?lesson=" + encodeURIComponent(lesson.name);
    link.textContent = lesson.name.replace(/-/g, " ");
    link.title = lesson.title;
    line.append(link);
  }
}
async function openLesson(name) {
  const lesson = play.lessons.find((l) => l.name === name);
  if (!lesson) {
    trainError("lesson: no lesson " + name + "; the lessons are " + play.lessons.map((l) => l.name).join(", "));
    return;
  }
  play.lesson = lesson;
  $("lesson-card").hidden = false;
  $("lesson-title").textContent = lesson.title;
  $("lesson-look").textContent = lesson.look;
  $("lesson-measured").textContent = lesson.measured;
  // The visitor's newest start of this lesson: a reload shows it (and its verdict) again.
  const newest = play.order.map((id) => play.runs.get(id)).find((r) => r && r.lesson && r.lesson.name === name && r.editable !== false);
  if (newest) showLessonGroup(newest.lesson.group);
  renderLesson();
  // A student who follows a lesson's link lands on the lesson, not on the drawing pad above it.
  $("lesson-card").scrollIntoView();
}
function showLessonGroup(group) {
  play.lessonGroup = group;
  // In the order the server made them (the number ending each id), which is the lesson's order.
  const made = (r) => Number(r.id.split("-").pop());
  const runs = [...play.runs.values()].filter((r) => r.lesson && r.lesson.group === group).sort((a, b) => made(a) - made(b));
  for (const run of play.runs.values()) run.shown = runs.includes(run);
  play.group = runs.map((r) => r.id);
  if (runs.length) play.focus = (runs[play.lesson.focus] || runs[0]).id;
  renderRuns(); follow(); queueDraw();
}
async function startLesson() {
  const answer = await api("POST", "/api/lessons/" + encodeURIComponent(play.lesson.name), { paused: false });
  tellRemoved(answer.removed);
  answer.runs.forEach((r) => adopt(r, true));
  play.groupKey = "";
  showLessonGroup(answer.runs[0].lesson.group);
  await refreshRuns();
}
$("lesson-start").addEventListener("click", () => pressed($("lesson-start"), startLesson));
function renderLesson() {
  if (!play.lesson) return;
  const runs = [...play.runs.values()].filter((r) => r.lesson && r.lesson.group === play.lessonGroup);
  const over = runs.filter((r) => overStatus(r.status)).length;
  const judged = runs.find((r) => r.lesson.verdicts);
  $("lesson-start").textContent = (runs.length ? "Start again (" : "Start the lesson (") + play.lesson.runs.length + " runs)";
  $("lesson-status").textContent = !runs.length ? "not started" : judged ? "over: the verdict below comes from these runs" :
    over + " of " + runs.length + " runs over; the verdict comes when all are";
  const list = $("lesson-verdicts"), verdicts = judged ? judged.lesson.verdicts : [];
  const sig = JSON.stringify(verdicts);
  if (list.dataset.sig === sig) return;
  list.dataset.sig = sig;
  list.textContent = "";
  for (const v of verdicts) {
    const item = document.createElement("li"), word = Logic.verdictWord(v.verdict), evidence = document.createElement("span");
    item.className = word === "held" ? "held" : word === "did not hold" ? "not-held" : "untested";
    item.innerHTML = "<b></b>";
    item.firstChild.textContent = word;
    evidence.className = "evidence";
    evidence.textContent = v.evidence;
    item.append(v.statement, evidence);
    list.append(item);
  }
}
