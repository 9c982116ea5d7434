/// The "Inside" view's drawing code, shared by `serve`'s page and `inspect -o page.html` so that
/// both draw an inspection (`InspectionRecord`'s JSON) the same way:
/// - `Inside.render(element, record, {unitPicture})`: the input with its saliency overlaid, input ×
///   gradient, each hidden layer as a grid of units coloured by activation (dead units dark and
///   crossed, saturated ones ringed in orange), the layer's pre-activations as a histogram over
///   the activation's f and f′ curves, and a first-layer unit's weight picture on hover or tap;
/// - `Inside.curves(canvas, spec, counts, range, below, above)`: a histogram of pre-activations
///   over f and f′, which the playground's live view uses too;
/// - `Inside.weights(canvas, int8s, side)`: a unit's incoming weights as a picture (blue −, red +).
enum InsideView {
    static let css = #"""
        .inside { display: grid; gap: 14px; }
        .inside .maps { display: flex; gap: 14px; flex-wrap: wrap; align-items: flex-start; }
        .inside figure { margin: 0; text-align: center; }
        .inside figcaption { font-size: 11px; color: var(--muted); margin-top: 4px; max-width: 180px; }
        .inside canvas.map { width: 140px; height: 140px; image-rendering: pixelated; border-radius: 6px; background: #000; display: block; }
        .inside .layer { display: grid; grid-template-columns: minmax(0, 1fr) 220px; gap: 12px; align-items: start;
                         border-top: 1px solid var(--line); padding-top: 10px; }
        .inside .layer h3 { font-size: 13px; margin: 0 0 6px; font-weight: 600; }
        .inside .layer .meta { color: var(--muted); font-size: 12px; margin: 0 0 6px; }
        .inside canvas.grid { width: 100%; max-width: 480px; display: block; cursor: crosshair; touch-action: manipulation; }
        .inside canvas.curve { width: 220px; height: 120px; display: block; }
        .inside .unit { display: flex; gap: 10px; align-items: center; font-size: 12px; color: var(--muted); min-height: 64px; }
        .inside .unit canvas { width: 64px; height: 64px; image-rendering: pixelated; border-radius: 4px; background: var(--line); }
        .inside .legend { font-size: 11px; color: var(--muted); }
        .inside .legend b { display: inline-block; width: 10px; height: 10px; border-radius: 2px; vertical-align: -1px; margin: 0 3px 0 8px; }
        @media (max-width: 720px) { .inside .layer { grid-template-columns: minmax(0, 1fr); } .inside canvas.map { width: 112px; height: 112px; } }
        """#

    static let script = #"""
        const Inside = (() => {
          const erf = (x) => { // Abramowitz–Stegun 7.1.26, |error| < 1.5e-7: enough for a curve
            const s = Math.sign(x), a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
            return s * (1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a));
          };
          const sig = (x) => x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
          // f and f′ of an activation spec such as "relu", "leaky-relu:0.1", "swish:1.5".
          function fn(spec) {
            const [name, value] = String(spec).split(":"), p = value === undefined ? undefined : Number(value);
            switch (name) {
              case "relu": return [(x) => Math.max(0, x), (x) => x > 0 ? 1 : 0];
              case "leaky-relu": { const a = p ?? 0.01; return [(x) => x > 0 ? x : a * x, (x) => x > 0 ? 1 : a]; }
              case "prelu": { const a = p ?? 0.25; return [(x) => x > 0 ? x : a * x, (x) => x > 0 ? 1 : a]; }
              case "tanh": return [Math.tanh, (x) => 1 - Math.tanh(x) ** 2];
              case "sigmoid": return [sig, (x) => sig(x) * (1 - sig(x))];
              case "swish": { const b = p ?? 1; return [(x) => x * sig(b * x), (x) => sig(b * x) + b * x * sig(b * x) * (1 - sig(b * x))]; }
              case "elu": { const a = p ?? 1; return [(x) => x > 0 ? x : a * Math.expm1(x), (x) => x > 0 ? 1 : a * Math.exp(x)]; }
              case "gelu": return [(x) => x * (1 + erf(x / Math.SQRT2)) / 2, (x) => (1 + erf(x / Math.SQRT2)) / 2 + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI)];
              case "softplus": return [(x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))), sig];
              case "step": return [(x) => x > 0 ? 1 : 0, () => 0];
              default: return [(x) => x, () => 1];
            }
          }
          const css = (name) => getComputedStyle(document.body).getPropertyValue(name).trim() || "#888";
          function sized(canvas) {
            const ratio = window.devicePixelRatio || 1, box = canvas.getBoundingClientRect();
            const w = Math.max(1, Math.round((box.width || canvas.width) * ratio)), h = Math.max(1, Math.round((box.height || canvas.height) * ratio));
            if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
            return canvas.getContext("2d");
          }
          // A histogram of pre-activations (counts in equal bins over ±range) under f (solid) and f′ (dashed).
          function curves(canvas, spec, counts, range, below = 0, above = 0) {
            const g = sized(canvas), W = canvas.width, H = canvas.height, pad = 4 * (window.devicePixelRatio || 1);
            g.clearRect(0, 0, W, H);
            const x = (v) => pad + (v + range) / (2 * range) * (W - 2 * pad);
            const peak = Math.max(1, ...counts), bw = (W - 2 * pad) / counts.length;
            g.fillStyle = css("--accent-soft");
            counts.forEach((c, i) => { const h = c / peak * (H - 2 * pad); g.fillRect(pad + i * bw, H - pad - h, Math.max(1, bw - 1), h); });
            const [f, d] = fn(spec);
            let lo = Infinity, hi = -Infinity;
            for (let i = 0; i <= 100; i++) { const v = f(-range + 2 * range * i / 100); lo = Math.min(lo, v, 0); hi = Math.max(hi, v, 1); }
            const y = (v) => H - pad - (v - lo) / (hi - lo || 1) * (H - 2 * pad);
            g.strokeStyle = css("--line"); g.lineWidth = 1;
            g.beginPath(); g.moveTo(x(0), pad); g.lineTo(x(0), H - pad); g.moveTo(pad, y(0)); g.lineTo(W - pad, y(0)); g.stroke();
            for (const [fun, colour, dash] of [[f, css("--accent"), []], [d, css("--warn"), [4, 3]]]) {
              g.strokeStyle = colour; g.lineWidth = 2 * (window.devicePixelRatio || 1); g.setLineDash(dash); g.beginPath();
              for (let i = 0; i <= 120; i++) { const v = -range + 2 * range * i / 120; i ? g.lineTo(x(v), y(fun(v))) : g.moveTo(x(v), y(fun(v))); }
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
          // Units as a grid of cells coloured by activation (relative to the layer's largest), dead ones dark
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
            legend.innerHTML = 'cells: activation for this digit <b style="background:#d9552b"></b>positive <b style="background:#6e9cff"></b>negative ' +
              '<b style="background:#2b2f36"></b>dead (f′ = 0) <b style="background:none;border:2px solid #e69a1c"></b>saturated <b style="background:none;border:2px solid #16a34a"></b>pushed hardest toward ' + record.digit;
            root.append(legend);
            record.layers.forEach((layer, l) => {
              const box = element("div", "layer"), left = element("div"), right = element("div");
              left.append(element("h3", null, "Layer " + (l + 1) + " · " + layer.width + " " + layer.activation));
              const tops = (layer.top_units || []).map((u) => u.unit + " (" + (u.contribution >= 0 ? "+" : "") + fmt(u.contribution) + ")").join(", ");
              left.append(element("p", "meta", (100 * layer.dead_fraction).toFixed(0) + "% dead and " + (100 * layer.saturated_fraction).toFixed(0) +
                "% saturated for this digit · most for " + record.digit + ": " + tops));
              const canvas = element("canvas", "grid");
              canvas.dataset.layer = String(l);
              left.append(canvas);
              const curve = element("canvas", "curve");
              right.append(curve, element("div", "legend", "this digit's pre-activations over f (solid) and f′ (dashed)"));
              box.append(left, right);
              root.append(box);
              requestAnimationFrame(() => {
                const hit = grid(canvas, layer);
                let range = 4; for (const z of layer.pre_activations) range = Math.max(range, Math.min(50, Math.abs(z)));
                range = Math.ceil(range);
                const [counts, below, above] = bins(layer.pre_activations, range);
                curves(curve, layer.activation, counts, range, below, above);
                if (l !== 0 || !options.unitPicture) return;
                const show = async (event) => {
                  const j = hit(event);
                  if (j < 0) return;
                  const picture = await options.unitPicture(j);
                  if (!picture) return;
                  weights(unitCanvas, picture, side);
                  unitText.textContent = "Layer 1, unit " + j + ": its weights on each pixel (red +, blue −); activation " + fmt(layer.activations[j]) +
                    (layer.states[j] === 1 ? ", dead for this digit" : layer.states[j] === 2 ? ", saturated" : "");
                };
                canvas.addEventListener("pointermove", show);
                canvas.addEventListener("pointerdown", show);
              });
            });
          }
          return { render, curves, weights, overlay, fn, sized, colour: css };
        })();
        """#
}
