"use strict";
// Starts the page once every script is loaded (they run in order: inside.js, pad.js, playground.js, this).
buildBars();
redraw();
showEmpty();
// The printed link's key is kept in a cookie by now: it leaves the address bar (and history).
if (new URLSearchParams(location.search).has("key")) history.replaceState(null, "", location.pathname);
(async () => {
  // Beyond 127.0.0.1 the API asks for the key the link carries; without it, say so and stop.
  const probe = await fetch("/api/model", { method: "HEAD" }).catch(() => null);
  if (probe && probe.status === 401) {
    $("summary").textContent = "This server asks for its key: open the link your teacher was given by `trainer serve` (it ends in ?key=…).";
    $("train").hidden = true; $("runs-card").hidden = true; $("live").hidden = true;
    return;
  }
  loadModel();
  loadReports();
  loadPlayground();
})();
