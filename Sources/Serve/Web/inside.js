"use strict";
// The "Inside" view's drawing code, shared by serve's page and `inspect -o page.html`, so both draw
// an inspection (POST /api/inspect, inspect --json) the same way:
// - Inside.render(element, record, {unitPicture}): the input with its saliency overlaid, input ×
//   gradient, each hidden layer as a grid of units coloured by activation (units off for this digit dark and
//   crossed, saturated ones ringed), the layer's pre-activations as a histogram under the
//   activation's f and f′, and a first-layer unit's weight picture on hover or tap;
// - Inside.curves(canvas, curve, counts, below, above): a histogram under f and f′ as the server
//   sampled them (record.layers[l].curve, or a live event's probe layers), which the playground uses too;
// - Inside.weights(canvas, int8s, side): a unit's incoming weights as a picture (blue −, red +).
const Inside = (() => {
  const css = (name) => getComputedStyle(document.body).getPropertyValue(name).trim() || "#888";
  function sized(canvas) {
    const ratio = window.devicePixelRatio || 1, box = canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round((box.width || canvas.width) * ratio)), h = Math.max(1, Math.round((box.height || canvas.height) * ratio));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    return canvas.getContext("2d");
  }
  // A histogram of pre-activations (counts in equal bins over ±curve.range) under f (solid) and
  // f′ (dashed), both as the server computed them from the code that trains (`curve.f`, `curve.df`).
  function curves(canvas, curve, counts, below = 0, above = 0) {
    const g = sized(canvas), W = canvas.width, H = canvas.height, pad = 4 * (window.devicePixelRatio || 1);
    g.clearRect(0, 0, W, H);
    const range = curve.range, x = (v) => pad + (v + range) / (2 * range) * (W - 2 * pad);
    const peak = Math.max(1, ...counts), bw = (W - 2 * pad) / counts.length;
    g.fillStyle = css("--accent-soft");
    counts.forEach((c, i) => { const h = c / peak * (H - 2 * pad); g.fillRect(pad + i * bw, H - pad - h, Math.max(1, bw - 1), h); });
    const finite = curve.f.filter((v) => v != null && isFinite(v));
    const lo = Math.min(0, ...finite), hi = Math.max(1, ...finite);
    const y = (v) => H - pad - (v - lo) / (hi - lo || 1) * (H - 2 * pad);
    g.strokeStyle = css("--line"); g.lineWidth = 1;
    g.beginPath(); g.moveTo(x(0), pad); g.lineTo(x(0), H - pad); g.moveTo(pad, y(0)); g.lineTo(W - pad, y(0)); g.stroke();
    const at = (i, n) => -range + 2 * range * i / (n - 1);
    for (const [values, colour, dash] of [[curve.f, css("--accent"), []], [curve.df, css("--warn"), [4, 3]]]) {
      g.strokeStyle = colour; g.lineWidth = 2 * (window.devicePixelRatio || 1); g.setLineDash(dash); g.beginPath();
      values.forEach((v, i) => { const px = x(at(i, values.length)), py = y(v); i ? g.lineTo(px, py) : g.moveTo(px, py); });
      g.stroke();
    }
    g.setLineDash([]);
    const total = counts.reduce((a, b) => a + b, 0) + below + above;
    if (total && (below || above)) {
      g.fillStyle = css("--bad"); g.font = (10 * (window.devicePixelRatio || 1)) + "px system-ui";
      if (below) { g.textAlign = "left"; g.fillText("◀ " + (100 * below / total).toFixed(0) + "%", pad, pad + 10 * (window.devicePixelRatio || 1)); }
      if (above) { g.textAlign = "right"; g.fillText((100 * above / total).toFixed(0) + "% ▶", W - pad, pad + 10 * (window.devicePixelRatio || 1)); }
    }
  }
  function bins(values, range, n = 40) {
    const counts = new Array(n).fill(0); let below = 0, above = 0;
    for (const v of values) { if (v < -range) below++; else if (v >= range) above++; else counts[Math.min(n - 1, Math.floor((v + range) / (2 * range) * n))]++; }
    return [counts, below, above];
  }
  // A unit's incoming weights as a side × side picture: red for positive, blue for negative.
  function weights(canvas, values, side) {
    canvas.width = canvas.height = side;
    const g = canvas.getContext("2d"), img = g.createImageData(side, side);
    let peak = 0; for (const v of values) peak = Math.max(peak, Math.abs(v));
    values.forEach((v, i) => {
      const t = peak ? v / peak : 0, a = Math.abs(t);
      img.data.set(t >= 0 ? [255, 255 * (1 - a), 255 * (1 - a), 255] : [255 * (1 - a), 255 * (1 - 0.6 * a), 255, 255], 4 * i);
    });
    g.putImageData(img, 0, 0);
  }
  // The image in gray, with a signed map over it: red where the value is positive, blue where negative.
  function overlay(canvas, image, map, side) {
    canvas.width = canvas.height = side;
    const g = canvas.getContext("2d"), img = g.createImageData(side, side);
    let peak = 0; for (const v of map || []) peak = Math.max(peak, Math.abs(v));
    image.forEach((p, i) => {
      const base = 40 + 120 * Math.max(0, Math.min(1, p)), t = map && peak ? map[i] / peak : 0, a = Math.min(1, Math.abs(t) * 1.4);
      const tint = t >= 0 ? [255, 60, 40] : [40, 120, 255];
      img.data.set([base + (tint[0] - base) * a, base + (tint[1] - base) * a, base + (tint[2] - base) * a, 255], 4 * i);
    });
    g.putImageData(img, 0, 0);
  }
  function element(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  // Units as a grid of cells coloured by activation (relative to the layer's largest), those off for this digit dark
  // and crossed, saturated ones ringed. Returns the unit under a point, for hover and tap.
  function grid(canvas, layer) {
    const n = layer.width, cols = Math.ceil(Math.sqrt(n * 2)), rows = Math.ceil(n / cols);
    const ratio = window.devicePixelRatio || 1, cssWidth = canvas.getBoundingClientRect().width || 360;
    const cell = Math.max(6, Math.floor(cssWidth / cols)) * ratio;
    canvas.width = cols * cell; canvas.height = rows * cell;
    canvas.style.height = (rows * cell / ratio) + "px";
    const g = canvas.getContext("2d");
    let peak = 0; for (const a of layer.activations) peak = Math.max(peak, Math.abs(a));
    const top = new Set((layer.top_units || []).map((u) => u.unit));
    for (let j = 0; j < n; j++) {
      const x = (j % cols) * cell, y = Math.floor(j / cols) * cell, a = peak ? layer.activations[j] / peak : 0, s = layer.states[j];
      g.fillStyle = s === 1 ? "#2b2f36" : a >= 0 ? `rgb(${255 - 40 * a},${255 - 170 * a},${255 - 230 * a})` : `rgb(${255 + 200 * a},${255 + 110 * a},255)`;
      g.fillRect(x + ratio, y + ratio, cell - 2 * ratio, cell - 2 * ratio);
      if (s === 1) { g.strokeStyle = "#6b7280"; g.lineWidth = ratio; g.beginPath(); g.moveTo(x + 3 * ratio, y + 3 * ratio); g.lineTo(x + cell - 3 * ratio, y + cell - 3 * ratio); g.stroke(); }
      if (s === 2) { g.strokeStyle = "#e69a1c"; g.lineWidth = 2 * ratio; g.strokeRect(x + 2 * ratio, y + 2 * ratio, cell - 4 * ratio, cell - 4 * ratio); }
      if (top.has(j)) { g.strokeStyle = "#16a34a"; g.lineWidth = 2 * ratio; g.strokeRect(x + ratio, y + ratio, cell - 2 * ratio, cell - 2 * ratio); }
    }
    return (event) => {
      const box = canvas.getBoundingClientRect();
      const c = Math.floor((event.clientX - box.left) / box.width * cols), r = Math.floor((event.clientY - box.top) / box.height * rows);
      const j = r * cols + c;
      return c >= 0 && c < cols && j >= 0 && j < n ? j : -1;
    };
  }
  const fmt = (v) => Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
  function render(root, record, options = {}) {
    root.textContent = "";
    root.classList.add("inside");
    if (!record || !record.layers || !record.layers.length || !record.saliency) {
      root.append(element("p", "empty", record && record.reason ? "No digit found: " + record.reason + "." : "Draw a digit to look inside the model."));
      return;
    }
    const side = record.side, maps = element("div", "maps");
    const add = (caption, map) => {
      const fig = element("figure"), canvas = element("canvas", "map");
      overlay(canvas, record.image, map, side);
      fig.append(canvas, element("figcaption", null, caption));
      maps.append(fig);
      return canvas;
    };
    add("what the model saw", null).dataset.role = "seen";
    add("saliency: ∂ log p(" + record.digit + ") / ∂ pixel (red raises it, blue lowers it)", record.saliency).dataset.role = "saliency";
    add("input × gradient: the ink that decided", record.input_times_gradient);
    const unitBox = element("div", "unit"), unitCanvas = element("canvas");
    const unitText = element("span", null, "Hover over or tap a unit of layer 1 to see what it looks for.");
    unitBox.append(unitCanvas, unitText);
    maps.append(unitBox);
    root.append(maps);
    const legend = element("div", "legend");
    legend.innerHTML = 'cells: activation for this digit <b class="positive"></b>positive <b class="negative"></b>negative ' +
      '<b class="off"></b>off for this digit (f′ = 0) <b class="saturated"></b>saturated <b class="strongest"></b>pushed hardest toward ';
    legend.append(record.digit);
    root.append(legend);
    record.layers.forEach((layer, l) => {
      const box = element("div", "layer"), left = element("div"), right = element("div");
      left.append(element("h3", null, "Layer " + (l + 1) + " · " + layer.width + " " + layer.activation));
      const tops = (layer.top_units || []).map((u) => u.unit + " (" + (u.contribution >= 0 ? "+" : "") + fmt(u.contribution) + ")").join(", ");
      left.append(element("p", "meta", (100 * layer.off_fraction).toFixed(0) + "% off and " + (100 * layer.saturated_fraction).toFixed(0) +
        "% saturated for this digit · " + (tops ? "most for " + record.digit + ": " + tops : "no unit pushed toward " + record.digit)));
      const canvas = element("canvas", "grid");
      canvas.dataset.layer = String(l);
      left.append(canvas);
      const curve = element("canvas", "curve");
      right.append(curve, element("div", "legend", "this digit's pre-activations over f (solid) and f′ (dashed)"));
      box.append(left, right);
      root.append(box);
      requestAnimationFrame(() => {
        const hit = grid(canvas, layer);
        const [counts, below, above] = bins(layer.pre_activations, layer.curve.range);
        curves(curve, layer.curve, counts, below, above);
        if (l !== 0 || !options.unitPicture) return;
        const show = async (event) => {
          const j = hit(event);
          if (j < 0) return;
          const picture = await options.unitPicture(j);
          if (!picture) return;
          weights(unitCanvas, picture, side);
          unitText.textContent = "Layer 1, unit " + j + ": its weights on each pixel (red +, blue −); activation " + fmt(layer.activations[j]) +
            (layer.states[j] === 1 ? ", off for this digit" : layer.states[j] === 2 ? ", saturated" : "");
        };
        canvas.addEventListener("pointermove", show);
        canvas.addEventListener("pointerdown", show);
      });
    });
  }
  return { render, curves, weights, overlay, sized, colour: css };
})();
