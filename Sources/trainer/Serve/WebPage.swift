/// `serve`'s page: one self-contained HTML file (its CSS and JS inline, nothing fetched from the
/// network; the Content-Security-Policy forbids it), compiled into the binary so that the
/// `trainer` executable alone is the whole demo.
///
/// The page draws on a 280×280 canvas (pointer events: mouse, touch, pen), sends the drawing as a
/// PNG to `POST /api/predict` shortly after each change, and shows the answer: the top class
/// large, every class's probability as a bar, the 28×28 image the model saw, and the "no digit"
/// and "not confident" states as such. It reads the model card from `GET /api/model` and the
/// report links from `GET /api/reports`.
///
/// Beside the reading, the Inside view (`InsideView`) shows what each layer did with the drawing
/// (`POST /api/inspect`), for the model chosen to read with and one to compare it to; below, the
/// playground (`PlaygroundPage`) trains networks live. Any served model or run can read the pad.
enum WebPage {
    static let response = WebResponse(
        status: 200, contentType: "text/html; charset=utf-8", body: Array(html.utf8),
        headers: [
            "Cache-Control": "no-cache",
            "Content-Security-Policy":
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        ])

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>digit-trainer · draw, look inside, train</title>
        <link rel="icon" href="data:,">
        <style>
        :root {
          --bg: #f4f5f7; --card: #fff; --text: #1d2330; --muted: #667085; --line: #e3e6ea;
          --accent: #2f6fed; --accent-soft: #dbe6fd; --warn: #b7791f; --warn-soft: #fcefd6; --bad: #c0392b;
          --shadow: 0 1px 2px rgba(16,24,40,.06), 0 1px 3px rgba(16,24,40,.1);
        }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #111418; --card: #1a1f26; --text: #e6e8eb; --muted: #98a2b3; --line: #2c333d;
                  --accent: #6b9bff; --accent-soft: #23324f; --warn: #f0b44c; --warn-soft: #3b2f19; --bad: #ff7b6b;
                  --shadow: none; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--text);
               font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, sans-serif; }
        header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 16px; }
        header { padding-top: 20px; padding-bottom: 4px; }
        h1 { font-size: 20px; margin: 0; letter-spacing: -.01em; }
        h1 span { color: var(--muted); font-weight: 400; }
        h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 12px; font-weight: 600; }
        #summary { margin: 2px 0 0; color: var(--muted); font-size: 14px; }
        main { display: grid; grid-template-columns: minmax(0, 352px) minmax(0, 1fr); gap: 16px; padding-top: 14px; padding-bottom: 16px; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 16px; box-shadow: var(--shadow); min-width: 0; }
        .wide { grid-column: 1 / -1; }
        .card-head { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
        .hint { color: var(--muted); font-size: 12px; }
        .pad-wrap { position: relative; border-radius: 10px; overflow: hidden; border: 1px solid var(--line); background: #fff; }
        #pad { display: block; width: 100%; aspect-ratio: 1; touch-action: none; cursor: crosshair; }
        .pad-wrap.dragging { outline: 3px dashed var(--accent); outline-offset: -3px; }
        #placeholder { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
                       color: #98a2b3; pointer-events: none; font-size: 15px; }
        #placeholder[hidden] { display: none; }
        .tools { display: flex; gap: 8px; margin-top: 12px; flex-wrap: wrap; }
        button, .button { font: inherit; font-size: 14px; padding: 7px 14px; border-radius: 8px; border: 1px solid var(--line);
                          background: var(--card); color: var(--text); cursor: pointer; user-select: none; }
        button:hover:not(:disabled), .button:hover { border-color: var(--accent); }
        button:disabled { opacity: .45; cursor: default; }
        button:focus-visible, .button:focus-within { outline: 2px solid var(--accent); outline-offset: 1px; }
        .button input { position: absolute; width: 1px; height: 1px; opacity: 0; }
        .verdict { display: grid; grid-template-columns: auto 1fr auto; gap: 14px; align-items: center; min-height: 128px; }
        .digit { width: 104px; height: 104px; border-radius: 14px; display: flex; align-items: center; justify-content: center;
                 font-size: 72px; font-weight: 700; background: var(--accent-soft); color: var(--accent);
                 font-variant-numeric: tabular-nums; transition: background .2s, color .2s; overflow: hidden; text-align: center; line-height: 1; }
        .digit.long { font-size: 17px; padding: 6px; }
        [data-state=empty] .digit, [data-state=nodigit] .digit, [data-state=error] .digit { background: var(--line); color: var(--muted); }
        [data-state=unsure] .digit { background: var(--warn-soft); color: var(--warn); }
        #state-label { font-size: 18px; font-weight: 600; }
        [data-state=unsure] #state-label { color: var(--warn); }
        [data-state=error] #state-label { color: var(--bad); }
        #detail { color: var(--muted); font-size: 14px; overflow-wrap: anywhere; }
        .seen { margin: 0; text-align: center; }
        #seen { width: 84px; height: 84px; image-rendering: pixelated; border-radius: 6px; background: #000; display: block; margin: 0 auto; }
        .seen figcaption { font-size: 11px; color: var(--muted); margin-top: 4px; max-width: 96px; }
        .bars { list-style: none; margin: 16px 0 0; padding: 0; display: grid; grid-template-columns: minmax(1.4em, max-content) 1fr 3.6em; gap: 6px 10px; align-items: center; }
        .bars li { display: contents; }
        .bars .name { font-variant-numeric: tabular-nums; color: var(--muted); text-align: right; font-size: 14px; white-space: nowrap; }
        .bars .track { height: 14px; background: var(--line); border-radius: 7px; overflow: hidden; }
        .bars .fill { height: 100%; width: 0; background: var(--muted); border-radius: 7px; transition: width .18s ease-out; }
        .bars .pct { font-variant-numeric: tabular-nums; font-size: 13px; color: var(--muted); text-align: right; }
        .bars li.top .name, .bars li.top .pct { color: var(--text); font-weight: 600; }
        .bars li.top .fill { background: var(--accent); }
        [data-state=unsure] .bars li.top .fill { background: var(--warn); }
        dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; font-size: 14px; }
        dt { color: var(--muted); }
        dd { margin: 0; overflow-wrap: anywhere; }
        #reports { margin: 0; padding-left: 18px; }
        #reports li { margin: 4px 0; }
        #reports .meta { color: var(--muted); font-size: 13px; }
        a { color: var(--accent); }
        .empty { color: var(--muted); margin: 0; }
        footer { color: var(--muted); font-size: 12px; padding-bottom: 24px; }
        code { font-size: 12px; }
        .reader { display: flex; gap: 8px; align-items: center; margin-top: 12px; font-size: 13px; color: var(--muted); }
        .reader select, .card-head select { font: inherit; font-size: 13px; padding: 4px 6px; border-radius: 7px; border: 1px solid var(--line);
                                            background: var(--card); color: var(--text); min-width: 0; flex: 1; max-width: 100%; }
        #inside-card .card-head { flex-wrap: wrap; }
        #inside-card .card-head label { min-width: 0; max-width: 100%; display: flex; gap: 6px; align-items: center; }
        #compare { max-width: min(420px, 100%); text-overflow: ellipsis; }
        .inside-pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr)); gap: 16px; }
        .inside-pair > div[hidden] { display: none; }
        .inside-pair h3 { font-size: 13px; margin: 0 0 8px; overflow-wrap: anywhere; }
        \#(InsideView.css)
        \#(PlaygroundPage.css)
        @media (max-width: 720px) {
          main { grid-template-columns: minmax(0, 1fr); gap: 12px; padding-top: 10px; }
          header { padding-top: 14px; }
          .card { padding: 12px; }
          .verdict { gap: 10px; min-height: 0; }
          .digit { width: 76px; height: 76px; font-size: 52px; border-radius: 12px; }
          #state-label { font-size: 16px; }
          #seen { width: 56px; height: 56px; }
          .seen figcaption { max-width: 64px; font-size: 10px; }
          .bars { margin-top: 12px; gap: 4px 8px; }
        }
        </style>
        </head>
        <body>
        <header>
          <h1>digit-trainer <span>· draw, look inside, train</span></h1>
          <p id="summary">Loading the model…</p>
        </header>
        <main>
          <section class="card" aria-labelledby="draw-title">
            <div class="card-head"><h2 id="draw-title">Draw a digit</h2><span class="hint">mouse, finger or pen</span></div>
            <div class="pad-wrap" id="pad-wrap">
              <canvas id="pad" width="280" height="280" aria-label="Drawing pad: draw one digit"></canvas>
              <div id="placeholder">Draw here, or drop a PNG</div>
            </div>
            <div class="tools">
              <button id="undo" type="button" disabled title="Undo the last stroke (Ctrl+Z)">Undo</button>
              <button id="clear" type="button" disabled title="Clear the pad (Esc)">Clear</button>
              <label class="button">Upload PNG<input id="file" type="file" accept="image/png"></label>
            </div>
            <label class="reader">Read with <select id="reader" title="the served model, or any run of the playground, mid-training included"></select></label>
          </section>
          <section class="card" aria-live="polite">
            <h2>What the model reads</h2>
            <div class="verdict" id="verdict" data-state="empty">
              <div class="digit" id="digit">?</div>
              <div><div id="state-label">Nothing drawn yet</div><div id="detail">Each stroke is read as you draw.</div></div>
              <figure class="seen"><canvas id="seen" width="28" height="28"></canvas><figcaption>what the model saw, 28×28</figcaption></figure>
            </div>
            <ol class="bars" id="bars"></ol>
          </section>
          <section class="card wide" id="inside-card">
            <div class="card-head"><h2>Inside the model</h2>
              <label class="hint">compare with <select id="compare"><option value="">nothing</option></select></label></div>
            <div class="inside-pair">
              <div><h3 id="inside-a-title"></h3><div id="inside-a"></div></div>
              <div id="inside-b-box" hidden><h3 id="inside-b-title"></h3><div id="inside-b"></div></div>
            </div>
          </section>
        \#(PlaygroundPage.markup)
          <section class="card">
            <h2>Model</h2>
            <dl id="card"><dt>Model</dt><dd>loading…</dd></dl>
          </section>
          <section class="card">
            <h2>Ablation reports</h2>
            <ul id="reports"></ul>
          </section>
        </main>
        <footer>Everything runs on this machine; nothing is sent anywhere else. The same answers by script:
          <code>curl --data-binary @digit.png http://HOST/api/predict</code>, <code>/api/inspect</code>, <code>GET /api/model</code>, and
          <code>curl -d '{"activation":"sigmoid","hidden":"128x8"}' http://HOST/api/runs</code> to train.</footer>
        <script>
        "use strict";
        \#(InsideView.script)
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
        const percent = (p) => (p >= 0.995 ? (100 * p).toFixed(0) : p >= 0.0995 ? (100 * p).toFixed(1) : (100 * p).toFixed(2)) + "%";
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
            row(list, "Training", "batch " + t.batch_size + ", learning rate " + t.learning_rate + " (" + t.schedule + "), momentum " + t.momentum);
            row(list, "Regularisation", (t.augmentation && t.augmentation !== "none" ? "augment " + t.augmentation : "no augmentation") +
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

        \#(PlaygroundPage.script)

        buildBars();
        redraw();
        showEmpty();
        loadModel();
        loadReports();
        loadPlayground();
        </script>
        </body>
        </html>
        """#
}
