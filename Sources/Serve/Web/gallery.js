"use strict";
// The activation gallery: each card (gallery.html: a formula, when it is used) gets f and f′ drawn
// from GET /api/activations, computed by the code that trains, and a slider for its parameter that
// asks the server again and redraws both curves. `gallery.shown` keeps what each card draws.
const gallery = { shown: {}, asked: {} };
const byId = (id) => document.getElementById(id);

async function getJSON(path) {
  const response = await fetch(path);
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || "HTTP " + response.status);
  return answer;
}
function colour(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888"; }

// f (solid) and f′ (dashed) over ±range, on axes through the origin.
function drawCurve(canvas, curve) {
  const r = window.devicePixelRatio || 1;
  canvas.width = Math.round(canvas.clientWidth * r);
  canvas.height = Math.round(canvas.clientHeight * r);
  const g = canvas.getContext("2d"), W = canvas.width, H = canvas.height, pad = 18 * r;
  const values = curve.f.concat(curve.df).filter((v) => isFinite(v));
  const lo = Math.min(-1, ...values), hi = Math.max(1, ...values);
  const X = (x) => pad + (x + curve.range) / (2 * curve.range) * (W - 2 * pad);
  const Y = (v) => H - pad - (v - lo) / (hi - lo) * (H - 2 * pad);
  g.clearRect(0, 0, W, H);
  g.strokeStyle = colour("--line"); g.fillStyle = colour("--muted"); g.lineWidth = r; g.font = (10 * r) + "px system-ui";
  g.beginPath(); g.moveTo(pad, Y(0)); g.lineTo(W - pad, Y(0)); g.moveTo(X(0), pad); g.lineTo(X(0), H - pad); g.stroke();
  g.textAlign = "center";
  for (const x of [-curve.range, curve.range]) g.fillText(Logic.short(x), X(x), H - 4 * r);
  g.textAlign = "right";
  for (const v of [lo, hi]) g.fillText(Logic.short(Number(v.toPrecision(2))), X(0) - 4 * r, Y(v) + (v === hi ? 10 * r : -2 * r));
  const plot = (ys, stroke, dashed) => {
    g.strokeStyle = stroke; g.lineWidth = 2 * r; g.setLineDash(dashed ? [5 * r, 4 * r] : []);
    g.beginPath();
    ys.forEach((y, i) => {
      const x = X(-curve.range + 2 * curve.range * i / (ys.length - 1));
      if (i) g.lineTo(x, Y(y)); else g.moveTo(x, Y(y));
    });
    g.stroke();
    g.setLineDash([]);
  };
  plot(curve.f, colour("--accent"), false);
  plot(curve.df, "#e4572e", true);
}

// One card: the curves, the facts, and the slider when the activation has a parameter.
function fill(section, activation) {
  let figure = section.querySelector("figure");
  if (!figure) {
    figure = document.createElement("figure");
    figure.innerHTML = '<canvas></canvas><figcaption>f (solid) and f′ (dashed), computed by the server with the training code</figcaption>';
    section.append(figure);
    const facts = document.createElement("p");
    facts.className = "facts";
    section.append(facts);
    if (activation.parameter !== null) {
      const label = document.createElement("label"), slider = document.createElement("input"), shown = document.createElement("output");
      label.className = "slider";
      Object.assign(slider, { type: "range", min: section.dataset.min, max: section.dataset.max, step: section.dataset.step, value: activation.parameter });
      label.append((section.dataset.symbol || "parameter") + " ", slider, shown);
      slider.addEventListener("input", () => redraw(section, activation.name, slider.value));
      section.insertBefore(label, facts);
    }
  }
  const p = activation.parameter;
  const output = section.querySelector("output");
  if (output) output.textContent = " = " + Logic.short(p);
  const facts = section.querySelector(".facts");
  facts.textContent = "Starting weights: " + activation.init + ". Default learning rate " + Logic.short(activation.lr) + " (SGD, momentum 0.9). ";
  const train = document.createElement("a");
  train.href = "/?activation=" + encodeURIComponent(activation.spec).replace(/%3A/g, ":");
  train.textContent = "Train with " + activation.spec;
  facts.append(train);
  gallery.shown[activation.name] = activation;
  drawCurve(figure.querySelector("canvas"), activation.curve);
}

// The parameter moved: ask for the curve at the new value (only the latest answer is drawn).
async function redraw(section, name, value) {
  const asked = (gallery.asked[name] = (gallery.asked[name] || 0) + 1);
  try {
    const answer = await getJSON("/api/activations?activation=" + encodeURIComponent(name + ":" + value));
    if (asked === gallery.asked[name]) fill(section, answer.activations[0]);
  } catch (error) { say(error.message); }
}
function say(message) { const line = byId("gallery-error"); line.hidden = !message; line.textContent = message || ""; }

(async () => {
  let list;
  try { list = (await getJSON("/api/activations")).activations; } catch (error) { say("The curves could not be read: " + error.message); return; }
  for (const activation of list) {
    let section = byId(activation.name);
    if (!section) {
      // An activation the gallery has no card for yet still gets its curves, and says so.
      section = document.createElement("section");
      section.className = "card"; section.id = activation.name;
      section.innerHTML = "<h2></h2><p class='when'>No formula written for it in gallery.html yet.</p>";
      section.firstChild.textContent = activation.name;
      byId("gallery").append(section);
    }
    fill(section, activation);
  }
  if (location.hash) { const target = byId(location.hash.slice(1)); if (target) target.scrollIntoView(); }
  window.addEventListener("resize", () => { for (const a of Object.values(gallery.shown)) drawCurve(byId(a.name).querySelector("canvas"), a.curve); });
})();
