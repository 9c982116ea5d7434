"use strict";
// The page's pure logic: no DOM, no network. The views (pad.js, inside.js, playground.js) call it
// through `Logic`; `node --test Tests/JS` tests it, reading the records the server writes as
// fixtures (Tests/JS/fixtures), so the page and the server cannot disagree about a field unnoticed.
const Logic = (() => {
  // A probability as a person reads it: 100%, 97.3%, 0.42%.
  const percent = (p) => (p >= 0.995 ? (100 * p).toFixed(0) : p >= 0.0995 ? (100 * p).toFixed(1) : (100 * p).toFixed(2)) + "%";

  // A number as a person writes it: 1, 0.1, 0.0001, 1e-7; never 0.9998799041595063.
  function short(x) {
    if (x === null || x === undefined || !isFinite(x)) return String(x);
    if (x === 0) return "0";
    const a = Math.abs(x);
    if (a >= 1e-4 && a < 1e6) return String(Number(x.toPrecision(4)));
    return x.toExponential(1).replace("e+", "e");
  }

  // A chart axis from lo to hi, linear or log10: where a value falls (0 at lo, 1 at hi) and the
  // values to label. A flat range is widened so that nothing divides by zero; on a log axis values
  // at or below zero are held at 1e-12.
  function axis(lo, hi, log) {
    const t = (v) => (log ? Math.log10(Math.max(v, 1e-12)) : v);
    const a = t(lo), b = t(hi) === a ? a + 1 : t(hi);
    const ticks = log
      ? Array.from({ length: Math.max(0, Math.floor(b) - Math.ceil(a) + 1) }, (_, i) => Number("1e" + (Math.ceil(a) + i)))
      : Array.from({ length: 5 }, (_, i) => lo + (hi - lo) * i / 4);
    return { at: (v) => (t(v) - a) / (b - a), ticks };
  }

  // One log range for every series of a chart (each layer's gradient norms on one axis, so a
  // 5,000× fall reads as a fall): whole decades around the positive finite values, with a floor
  // one decade below the smallest where an exact 0 is drawn (nothing on a log axis otherwise).
  function logRange(values) {
    const positive = values.filter((v) => v > 0 && isFinite(v));
    if (!positive.length) return { lo: 1e-4, hi: 10, floor: 1e-4, hasZero: values.some((v) => v === 0) };
    const hasZero = values.some((v) => v === 0);
    // Decades as Number("1e-4"), the axis's own tick values, so that the floor's tick is found by ===.
    const low = Math.floor(Math.log10(Math.min(...positive))) - (hasZero ? 1 : 0);
    const high = Math.max(Math.ceil(Math.log10(Math.max(...positive))), low + 1);
    return { lo: Number("1e" + low), hi: Number("1e" + high), floor: Number("1e" + low), hasZero };
  }

  // The form's starting values from the settings the server describes (GET /api/playground's
  // `settings`): the default as text, "" for an unset one, a boolean for a checkbox.
  function formValues(settings) {
    const values = {};
    for (const s of settings) {
      const d = s.default;
      if (s.control === "checkbox") values[s.name] = d === true || (typeof d === "string" && d !== "none" && d !== "false");
      else if (d == null) values[s.name] = "";
      else if (Array.isArray(d)) values[s.name] = d.join(",");
      else values[s.name] = String(d);
    }
    return values;
  }

  // The request (POST /api/runs) a form's values make: every setting the form has a value for,
  // under its own name; an empty field is left out, so the server's default applies. Numbers go
  // as numbers; a field that is not one is an error naming it.
  function requestFromForm(settings, values) {
    const request = {};
    for (const s of settings) {
      const v = values[s.name];
      if (v === undefined || v === null) continue;
      if (s.control === "checkbox") { request[s.name] = !!v; continue; }
      const text = String(v).trim();
      if (text === "") continue;
      if (s.control === "number") {
        const n = Number(text);
        if (!isFinite(n)) throw new Error(s.name + ": give " + s.rule + " (got " + text + ")");
        request[s.name] = n;
      } else {
        request[s.name] = text;
      }
    }
    return request;
  }

  // The examples a Compare field starts with, per setting.
  const compareExamples = { activation: "relu,leaky-relu,tanh,sigmoid,swish", lr: "0.01,0.1,0.5", hidden: "128x2 128x4 128x8", seed: "1,2,3" };

  // The requests a comparison makes: `base` once per value of `field` in `text` (hidden layers
  // are separated by spaces or semicolons, since a value has commas; the rest by spaces or commas).
  function compare(base, field, text) {
    if (!field) return [base];
    const given = (text || "").trim() || compareExamples[field] || "";
    const values = (field === "hidden" ? given.split(/[\s;]+/) : given.split(/[\s,]+/)).filter(Boolean);
    if (values.length < 2 || values.length > 5) throw new Error("compare two to five values (got " + values.length + ")");
    return values.map((v) => Object.assign({}, base, { [field]: field === "lr" || field === "seed" ? Number(v) : v }));
  }

  // The page's address is its form (TensorFlow Playground's way): every setting under the API's
  // own name and value, plus these. `compare=FIELD:V1,V2` is the Compare row (depths separated by
  // `;`), `lesson=NAME` opens a lesson, `start=1` starts at once, `controls=hide` shows only the
  // experiment, for a projector.
  const addressWords = ["dataset", "compare", "lesson", "start", "controls"];
  const compareFields = Object.keys(compareExamples);

  // What an address asks for: the settings' values as text, the rest, and what is wrong with it
  // (an unknown parameter, a malformed compare), each said in words naming the parameter.
  function readAddress(settings, search) {
    const names = settings.map((s) => s.name);
    const out = { values: {}, dataset: null, compare: null, lesson: null, start: false, hide: false, problems: [] };
    for (const [key, value] of new URLSearchParams(search)) {
      if (names.includes(key)) out.values[key] = value;
      else if (key === "dataset") out.dataset = value;
      else if (key === "lesson") out.lesson = value;
      else if (key === "start") out.start = value === "1" || value === "true";
      else if (key === "controls") {
        if (value === "hide" || value === "show") out.hide = value === "hide";
        else out.problems.push("controls: give hide or show (got " + value + ")");
      } else if (key === "compare") {
        const at = value.indexOf(":"), field = value.slice(0, Math.max(at, 0));
        if (at < 0 || !compareFields.includes(field)) {
          out.problems.push("compare: give FIELD:V1,V2 with FIELD one of " + compareFields.join(", ") + " (got " + value + ")");
        } else {
          out.compare = { field, values: value.slice(at + 1) };
        }
      } else {
        out.problems.push(key + ": unknown parameter; the parameters are " + names.concat(addressWords).join(", "));
      }
    }
    return out;
  }

  // The address of a request (as `requestFromForm` makes it): the settings that differ from their
  // defaults, in the table's order, then the data set when not the default, then the comparison.
  function address(settings, request, defaults, compare) {
    const params = new URLSearchParams();
    for (const s of settings) {
      if (!(s.name in request)) continue;
      const v = request[s.name], d = defaults[s.name];
      const same = s.control === "checkbox" ? !!v === !!d : String(v) === String(d);
      if (!same) params.set(s.name, s.control === "checkbox" ? String(!!v) : String(v));
    }
    if (request.dataset && defaults.dataset && request.dataset !== defaults.dataset) params.set("dataset", request.dataset);
    if (compare && compare.field) params.set("compare", compare.field + ":" + (compare.values || "").trim().replace(/\s+/g, compare.field === "hidden" ? ";" : ","));
    const text = params.toString().replace(/%2C/g, ",").replace(/%3A/g, ":").replace(/%3B/g, ";");
    return text ? "?" + text : "";
  }

  // A lesson's verdict word for a claim's: what the ablation report calls supported, a lesson says held.
  function verdictWord(verdict) {
    return verdict === "supported" ? "held" : verdict === "not supported" ? "did not hold" : "not tested";
  }

  // One event of a run's stream (GET /api/runs/ID/events) folded into what the page keeps of the
  // run: chart points from `live`, epoch records, status, error and result. Says whether the run's
  // row needs drawing again (its status changed).
  function reduce(run, event) {
    if (event.event === "live") {
      const p = event.probe || {}, layers = p.layers || [];
      run.points.push({ x: event.progress, trainLoss: event.train_loss, trainAcc: event.train_accuracy, loss: p.loss, acc: p.accuracy,
                        grad: layers.map((l) => l.gradient_norm), dead: layers.map((l) => l.dead_fraction),
                        sat: layers.map((l) => l.saturated_fraction) });
      if (p.units) run.live = event;
      run.progress = event.progress;
      return false;
    }
    if (event.event === "epoch") { run.epochs.push(event.record); return false; }
    if (event.event === "status") {
      run.status = event.status;
      if (event.error) run.error = event.error;
      return true;
    }
    if (event.event === "result") {
      run.test_accuracy = event.test_accuracy;
      // The server's diagnosis of a run that finished without learning: the table says it.
      if (event.warning) { run.warning = event.warning; return true; }
    }
    return false;
  }

  // Which runs the table lists: those the visitor may change (their own; every one for whoever
  // manages them all) and, when asked, everyone's else, read-only. Says how many are left out.
  function listed(runs, everyone) {
    const shown = runs.filter((r) => everyone || r.editable !== false);
    return { shown, hidden: runs.length - shown.length };
  }

  // A run's status as the table says it: a waiting run with its place in the queue.
  function statusText(run) {
    if (run.status === "queued" && run.place) return "queued, " + ordinal(run.place) + " in line";
    return run.status;
  }
  function ordinal(n) {
    const tail = n % 100 >= 11 && n % 100 <= 13 ? "th" : ["th", "st", "nd", "rd"][n % 10] || "th";
    return n + tail;
  }

  return { percent, short, axis, logRange, formValues, requestFromForm, compareExamples, compare, readAddress, address, verdictWord,
           reduce, listed, statusText, ordinal };
})();

if (typeof module !== "undefined") module.exports = Logic;
