"use strict";
// inspect -o page.html: draws every embedded record with the Inside view's code.
const records = JSON.parse(document.getElementById("records").textContent);
const weights = JSON.parse(document.getElementById("weights").textContent);
const decode = (text) => Int8Array.from(atob(text), (c) => (c.charCodeAt(0) << 24) >> 24);
const byFile = new Map();
for (const r of records) { if (!byFile.has(r.file)) byFile.set(r.file, []); byFile.get(r.file).push(r); }
for (const [file, list] of byFile) {
  const row = document.createElement("section");
  row.className = "picture";
  for (const r of list) {
    const card = document.createElement("article"), head = document.createElement("h2"), reading = document.createElement("p");
    card.className = "card";
    head.textContent = file + (list.length > 1 ? " · " + r.model : "");
    reading.className = "reading";
    if (r.digit === null) reading.textContent = "No digit found (" + (r.reason || "no ink") + ")";
    else {
      const b = document.createElement("b"); b.textContent = r.digit;
      reading.append(b, " with probability " + (100 * r.probability).toFixed(1) + "%" + (r.warning ? " (" + r.warning + ")" : "") + " · " + r.model);
    }
    const inside = document.createElement("div");
    card.append(head, reading, inside);
    row.append(card);
    document.getElementById("pictures").append(row);
    const units = weights[r.model] || [];
    Inside.render(inside, r, { unitPicture: async (j) => units[j] ? decode(units[j]) : null });
  }
}
