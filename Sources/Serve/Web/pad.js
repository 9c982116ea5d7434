"use strict";
// The pad and the reading: draw with mouse, finger or pen on a 280×280 canvas (or drop a PNG); each
// change is sent as a PNG to POST /api/predict (and /api/inspect for the Inside view), and the answer
// shown: the top class, every class's bar, the 28×28 image the model saw, "no digit" and "not
// confident" as such. Also the model card (GET /api/model) and the report links (GET /api/reports).
const $ = (id) => document.getElementById(id);
const pad = $("pad"), ink = pad.getContext("2d");
const seen = $("seen"), seenInk = seen.getContext("2d");
const state = { strokes: [], current: null, picture: null, pictureBytes: null, generation: 0,
                timer: 0, busy: false, again: false, classes: [...Array(10).keys()].map(String) };

// Drawing. The pad is always 280×280 pixels, whatever its size on screen, so every drawing
// reaches the server as the same kind of PNG; strokes are a twentieth of the side, like MNIST's pens.
function paper() {
  ink.fillStyle = "#fff";
  ink.fillRect(0, 0, pad.width, pad.height);
  if (state.picture) {
    const p = state.picture, scale = Math.min(pad.width / p.width, pad.height / p.height);
    const w = p.width * scale, h = p.height * scale;
    ink.drawImage(p, (pad.width - w) / 2, (pad.height - h) / 2, w, h);
  }
  ink.strokeStyle = "#000";
  ink.lineCap = ink.lineJoin = "round";
  ink.lineWidth = pad.width / 14;
}
function segment(a, b) {
  ink.beginPath();
  ink.moveTo(a.x, a.y);
  ink.lineTo(b.x + (a === b ? 0.01 : 0), b.y);
  ink.stroke();
}
function redraw() {
  paper();
  for (const stroke of state.strokes) {
    segment(stroke[0], stroke[0]);
    for (let i = 1; i < stroke.length; i++) segment(stroke[i - 1], stroke[i]);
  }
  refreshTools();
}
function refreshTools() {
  const blank = state.strokes.length === 0 && !state.picture;
  $("undo").disabled = blank;
  $("clear").disabled = blank;
  $("placeholder").hidden = !blank;
}
function at(event) {
  const box = pad.getBoundingClientRect();
  return { x: (event.clientX - box.left) * pad.width / box.width, y: (event.clientY - box.top) * pad.height / box.height };
}
pad.addEventListener("pointerdown", (event) => {
  if (event.pointerType === "mouse" && event.button !== 0) return;
  event.preventDefault();
  pad.setPointerCapture(event.pointerId);
  const p = at(event);
  state.current = [p];
  state.strokes.push(state.current);
  state.pictureBytes = null;  // the pad now differs from the uploaded file
  segment(p, p);
  refreshTools();
  schedule();
});
pad.addEventListener("pointermove", (event) => {
  if (!state.current) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
  for (const e of events.length ? events : [event]) {
    const p = at(e), last = state.current[state.current.length - 1];
    state.current.push(p);
    segment(last, p);
  }
  schedule();
});
function endStroke() {
  if (!state.current) return;
  state.current = null;
  schedule(0);
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);
pad.addEventListener("lostpointercapture", endStroke);

function undo() {
  if (state.strokes.length) state.strokes.pop(); else { state.picture = null; state.pictureBytes = null; }
  redraw();
  changed();
}
function clearPad() {
  state.strokes = []; state.picture = null; state.pictureBytes = null;
  redraw();
  changed();
}
function changed() {
  if (state.strokes.length || state.picture) { schedule(0); return; }
  state.generation++;
  clearTimeout(state.timer);
  showEmpty();
}
$("undo").addEventListener("click", undo);
$("clear").addEventListener("click", clearPad);
document.addEventListener("keydown", (event) => {
  if (event.target.closest && event.target.closest("input, select, textarea")) return;  // the form's own keys
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z") { event.preventDefault(); undo(); }
  else if (event.key === "Escape") clearPad();
});

// Uploads: the file itself goes to the server (so a large photo is prepared from its own
// pixels), and is shown on the pad, where strokes can be added to it.
async function useFile(file) {
  if (!file) return;
  const bytes = await file.arrayBuffer();
  state.strokes = [];
  state.picture = null;
  try { state.picture = await createImageBitmap(new Blob([bytes])); } catch (_) { /* the server says what is wrong */ }
  state.pictureBytes = bytes;
  redraw();
  schedule(0);
}
$("file").addEventListener("change", (event) => { useFile(event.target.files[0]); event.target.value = ""; });
const wrap = $("pad-wrap");
wrap.addEventListener("dragover", (event) => { event.preventDefault(); wrap.classList.add("dragging"); });
wrap.addEventListener("dragleave", () => wrap.classList.remove("dragging"));
wrap.addEventListener("drop", (event) => {
  event.preventDefault();
  wrap.classList.remove("dragging");
  useFile(event.dataTransfer.files[0]);
});

// Asking the model: at most one request in flight; changes made meanwhile are sent when it returns.
function schedule(delay = 90) {
  clearTimeout(state.timer);
  state.timer = setTimeout(ask, delay);
}
function pngOfPad() {
  return new Promise((resolve) => pad.toBlob(resolve, "image/png"));
}
async function ask() {
  if (state.busy) { state.again = true; return; }
  if (!state.strokes.length && !state.picture && !state.pictureBytes) return;
  state.busy = true;
  const generation = state.generation;
  try {
    const body = state.pictureBytes && !state.strokes.length ? state.pictureBytes : await pngOfPad();
    const reader = $("reader").value || "model=0", other = $("compare").value;
    const post = (path, query) => fetch(path + "?" + query, { method: "POST", headers: { "Content-Type": "image/png" }, body });
    const response = await post("/api/predict", reader);
    const answer = await response.json();
    if (generation !== state.generation) return;
    if (!response.ok) { showError(answer.error || ("HTTP " + response.status)); showInside(null, null); return; }
    show(answer);
    const [a, b] = await Promise.all([post("/api/inspect", reader), other ? post("/api/inspect", other) : null]);
    if (generation !== state.generation) return;
    showInside(a && a.ok ? await a.json() : null, b ? (b.ok ? await b.json() : { error: (await b.json()).error }) : null);
  } catch (error) {
    if (generation === state.generation) showError("the server did not answer (" + error.message + "); is trainer serve still running?");
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; ask(); }
  }
}

// Showing the answer.
function setVerdict(kind, digit, label, detail) {
  $("verdict").dataset.state = kind;
  const big = $("digit");
  big.textContent = digit;
  big.classList.toggle("long", digit.length > 2);
  $("state-label").textContent = label;
  $("detail").textContent = detail;
}
const percent = Logic.percent;
function show(answer) {
  if (answer.digit === null) {
    setVerdict("nodigit", "–", "No digit found", answer.reason ? "The picture holds " + answer.reason + "." : "");
    setBars([]);
    showSeen(null);
    return;
  }
  const unsure = answer.warning === "not confident";
  setVerdict(unsure ? "unsure" : "digit", answer.digit, unsure ? "Not confident" : "Reads as " + answer.digit,
             unsure ? "Best guess " + answer.digit + " at " + percent(answer.probability) + ": maybe not a digit, or drawn unlike MNIST's."
                    : percent(answer.probability) + " probability" + (answer.inverted ? "" : " · light ink on dark paper"));
  setBars(answer.probabilities || []);
  showSeen(answer.image, answer.side);
}
function showError(message) {
  setVerdict("error", "!", "Could not read that", message);
  setBars([]);
  showSeen(null);
}
function showEmpty() {
  setVerdict("empty", "?", "Nothing drawn yet", "Each stroke is read as you draw.");
  setBars([]);
  showSeen(null);
  showInside(null, null);
}

// The Inside view: the reader's inspection, and the compared model's beside it.
const unitCache = new Map();
function unitPicture(query) {
  return async (unit) => {
    const key = query + "&unit=" + unit, cached = unitCache.get(key);
    if (cached && !query.startsWith("run=")) return cached;
    try {
      const answer = await (await fetch("/api/weights?" + key)).json();
      const picture = Int8Array.from(answer.weights);
      unitCache.set(key, picture);
      return picture;
    } catch (_) { return null; }
  };
}
function optionText(select) { const o = select.options[select.selectedIndex]; return o ? o.textContent : ""; }
function showInside(a, b) {
  const reader = $("reader").value || "model=0", other = $("compare").value;
  $("inside-a-title").textContent = a ? optionText($("reader")) : "";
  Inside.render($("inside-a"), a, { unitPicture: unitPicture(reader) });
  $("inside-b-box").hidden = !other;
  if (!other) return;
  $("inside-b-title").textContent = optionText($("compare")) + (b && b.digit ? " reads " + b.digit + " (" + percent(b.probability) + ")" : "");
  if (b && b.error) { $("inside-b").textContent = b.error; return; }
  Inside.render($("inside-b"), b, { unitPicture: unitPicture(other) });
}
// The models that can read the pad: every served model, and every run that has weights.
let servedModels = [];
function refreshReaders() {
  for (const select of [$("reader"), $("compare")]) {
    const keep = select.value, options = [];
    if (select.id === "compare") options.push(["", "nothing"]);
    servedModels.forEach((m, k) => options.push(["model=" + k, "served: " + m.file + " (" + m.architecture + ")"]));
    if (typeof play !== "undefined") {
      for (const run of play.runs.values()) {
        if (run.status === "queued" || (run.status === "paused" && !run.points.length && !run.epochs_completed)) continue;
        options.push(["run=" + run.id, "run: " + run.title + " (" + run.status + ")"]);
      }
    }
    const same = select.options.length === options.length && options.every(([v, t], i) => select.options[i].value === v && select.options[i].textContent === t);
    if (same) continue;
    select.textContent = "";
    for (const [value, text] of options) { const o = document.createElement("option"); o.value = value; o.textContent = text; select.append(o); }
    select.value = options.some(([v]) => v === keep) ? keep : options[0][0];
  }
  // Reading with a run that trains: read again as its weights change.
  const reader = $("reader").value;
  if (reader.startsWith("run=") && typeof play !== "undefined") {
    const run = play.runs.get(reader.slice(4));
    if (run && (run.status === "running" || run.status === "queued")) readAgain();
  }
}
function readAgain() { if (state.strokes.length || state.picture) schedule(0); }
$("reader").addEventListener("change", readAgain);
$("compare").addEventListener("change", readAgain);
function buildBars() {
  const list = $("bars");
  list.textContent = "";
  for (const name of state.classes) {
    const item = document.createElement("li");
    item.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
    item.querySelector(".name").textContent = name;
    list.appendChild(item);
  }
  setBars([]);
}
function setBars(probabilities) {
  const items = $("bars").children;
  let best = -1;
  probabilities.forEach((p, i) => { if (best < 0 || p > probabilities[best]) best = i; });
  for (let i = 0; i < items.length; i++) {
    const p = probabilities[i] || 0;
    items[i].classList.toggle("top", i === best);
    items[i].querySelector(".fill").style.width = (100 * p).toFixed(1) + "%";
    items[i].querySelector(".pct").textContent = probabilities.length ? percent(p) : "";
  }
}
function showSeen(image, side) {
  seenInk.fillStyle = "#000";
  seenInk.fillRect(0, 0, seen.width, seen.height);
  if (!image) return;
  if (seen.width !== side) { seen.width = seen.height = side; }
  const pixels = seenInk.createImageData(side, side);
  image.forEach((v, i) => {
    const level = Math.round(Math.max(0, Math.min(1, v)) * 255);
    pixels.data.set([level, level, level, 255], 4 * i);
  });
  seenInk.putImageData(pixels, 0, 0);
}

// The model card and the reports.
const datasetNames = { "mnist": "MNIST", "fashion-mnist": "Fashion-MNIST" };
function row(list, term, value) {
  const dt = document.createElement("dt"), dd = document.createElement("dd");
  dt.textContent = term; dd.textContent = value;
  list.append(dt, dd);
}
async function loadModel() {
  try {
    servedModels = (await (await fetch("/api/models")).json()).models;
    refreshReaders();
    const card = await (await fetch("/api/model")).json();
    state.classes = card.classes;
    buildBars();
    const dataset = datasetNames[card.dataset] || card.dataset;
    const accuracy = card.test_accuracy == null ? "not measured" : (100 * card.test_accuracy).toFixed(2) + "%";
    const when = card.trained_at || card.file_modified;
    $("summary").textContent = card.architecture + " · " + dataset + " · " + accuracy + " test accuracy";
    if (card.dataset === "fashion-mnist") { $("draw-title").textContent = "Draw a garment"; }
    const list = $("card");
    list.textContent = "";
    row(list, "Architecture", card.architecture);
    row(list, "Activation", [...new Set(card.activations)].join(", "));
    row(list, "Parameters", card.parameters.toLocaleString("en"));
    row(list, "Dataset", dataset);
    row(list, "Test accuracy", accuracy);
    row(list, "Epochs", String(card.epochs));
    row(list, card.trained_at ? "Trained" : "File saved", when ? new Date(when).toLocaleString() : "unknown");
    const t = card.training;
    row(list, "Training", "batch " + t.batch_size + ", learning rate " + Logic.short(card.learning_rate) + " (" + t.schedule + "), momentum " + t.momentum +
        (t.precision !== "fp32" ? ", " + t.precision : ""));
    row(list, "Regularisation", (t.augment && t.augment !== "none" ? "augment " + t.augment : "no augmentation") +
        (t.dropout > 0 ? ", dropout " + t.dropout : "") + (t.weight_decay > 0 ? ", weight decay " + t.weight_decay : ""));
    row(list, "File", card.file);
  } catch (error) {
    $("summary").textContent = "The model card could not be read: " + error.message;
    buildBars();
  }
}
async function loadReports() {
  const list = $("reports");
  try {
    const answer = await (await fetch("/api/reports")).json();
    list.textContent = "";
    if (!answer.reports.length) {
      const note = document.createElement("p");
      note.className = "empty";
      note.textContent = answer.folders.length
        ? "No report.html under " + answer.folders.join(", ") + ". Make one with trainer ablate."
        : "Start the server with --reports DIR to list the ablation reports in DIR here.";
      list.replaceWith(note);
      note.id = "reports";
      return;
    }
    for (const report of answer.reports) {
      const item = document.createElement("li"), link = document.createElement("a"), meta = document.createElement("div");
      link.href = report.url; link.target = "_blank"; link.rel = "noopener"; link.textContent = report.title;
      meta.className = "meta";
      meta.textContent = report.folder + (report.modified ? " · " + new Date(report.modified).toLocaleDateString() : "");
      item.append(link, meta);
      list.appendChild(item);
    }
  } catch (error) {
    list.textContent = "The reports could not be listed: " + error.message;
  }
}
