"use strict";
// Starts the page once every script is loaded (they run in order: inside.js, pad.js, playground.js, this).
buildBars();
redraw();
showEmpty();
loadModel();
loadReports();
loadPlayground();
