// The page's pure logic (Sources/Serve/Web/logic.js) under node's own test runner, against the
// records the server really sends: Tests/JS/fixtures is written by the Swift suite
// (WireFixtureTests), which fails when a record changes and the fixtures were not written again.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const Logic = require("../../Sources/Serve/Web/logic.js");

const fixture = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", name), "utf8"));

test("percentages read as a person writes them", () => {
  assert.equal(Logic.percent(1), "100%");
  assert.equal(Logic.percent(0.973), "97.3%");
  assert.equal(Logic.percent(0.0042), "0.42%");
});

test("numbers are short: no float noise", () => {
  assert.equal(Logic.short(0.9998799041595063), "0.9999");
  assert.equal(Logic.short(1), "1");
  assert.equal(Logic.short(0.1), "0.1");
  assert.equal(Logic.short(2.7e-7), "2.7e-7");
  assert.equal(Logic.short(3.5e6), "3.5e6");
  assert.equal(Logic.short(0), "0");
  assert.equal(Logic.short(NaN), "NaN");
});

test("one log range for every layer, with a floor for exact zeros", () => {
  // Sigmoid in depth: layer 1's 2.7e-7 and layer 8's 1.4e-3 on one axis.
  const r = Logic.logRange([2.7e-7, 3e-6, 1.4e-3, NaN, Infinity]);
  assert.equal(r.lo, 1e-7);
  assert.equal(r.hi, 1e-2);
  assert.equal(r.hasZero, false);
  // A dead layer's gradient of exactly 0 is drawn one decade below the smallest, not dropped.
  const z = Logic.logRange([0, 0.02, 0.5]);
  assert.equal(z.floor, 1e-3);
  assert.equal(z.lo, 1e-3);
  assert.equal(z.hi, 1);
  assert.equal(z.hasZero, true);
  assert.equal(Logic.logRange([0, 0]).hasZero, true);
});

test("a linear axis maps its ends to 0 and 1 and labels five values", () => {
  const a = Logic.axis(0, 2, false);
  assert.equal(a.at(0), 0);
  assert.equal(a.at(2), 1);
  assert.equal(a.at(0.5), 0.25);
  assert.deepEqual(a.ticks, [0, 0.5, 1, 1.5, 2]);
});

test("a log axis labels each power of ten and holds zero at its floor", () => {
  const a = Logic.axis(1e-4, 1, true);
  assert.deepEqual(a.ticks, [1e-4, 1e-3, 1e-2, 1e-1, 1]);
  assert.ok(Math.abs(a.at(1e-2) - 0.5) < 1e-12);
  assert.ok(a.at(0) < 0, "a zero gradient falls below the axis, where the chart can mark it");
  const flat = Logic.axis(3, 3, false);
  assert.ok(isFinite(flat.at(3)), "a flat range does not divide by zero");
});

test("the form starts at the server's defaults and, untouched, asks for exactly them", () => {
  const card = fixture("playground.json");
  const values = Logic.formValues(card.settings);
  for (const s of card.settings) assert.ok(s.name in values, s.name + " has a form value");
  const request = Logic.requestFromForm(card.settings, values);
  // Every value the untouched form sends is the setting's default, as the API writes it back.
  const defaults = card.defaults;
  for (const [name, value] of Object.entries(request)) {
    const expected = defaults[name];
    if (Array.isArray(expected)) assert.equal(String(value), expected.join(","), name);
    else if (typeof expected === "boolean") assert.equal(value, expected, name);
    else if (name === "augment") assert.equal(value, expected !== "none", name);
    else assert.equal(String(value), String(expected), name);
  }
  // An unset default (the learning rate: each activation's own) is left to the server.
  assert.equal(defaults.lr, null);
  assert.ok(!("lr" in request));
});

test("the form offers every setting the API accepts, and nothing else", () => {
  const card = fixture("playground.json");
  const request = fixture("run-request-fields.json");
  const offered = card.settings.map((s) => s.name).sort();
  assert.deepEqual(offered, request.settings.slice().sort());
  for (const s of card.settings) {
    assert.ok(["number", "checkbox", "choice", "text"].includes(s.control), s.name + ": " + s.control);
    if (s.control === "choice") assert.ok(s.choices.length >= 1, s.name);
    assert.ok(s.flag === "--" + s.name.replace(/_/g, "-"), s.name + " is " + s.flag + " on the command line");
    assert.ok(s.label && s.help && s.rule, s.name + " has a label, help and a rule");
  }
});

test("edited values become the request's typed values, and a bad number names its field", () => {
  const card = fixture("playground.json");
  const values = Object.assign(Logic.formValues(card.settings), { lr: "0.25", nesterov: true, hidden: "128x4", epochs: "3" });
  const request = Logic.requestFromForm(card.settings, values);
  assert.equal(request.lr, 0.25);
  assert.equal(request.epochs, 3);
  assert.equal(request.nesterov, true);
  assert.equal(request.hidden, "128x4");
  assert.throws(() => Logic.requestFromForm(card.settings, Object.assign(values, { momentum: "fast" })), /momentum/);
});

test("a comparison makes one request per value, and refuses one or six", () => {
  const base = { activation: "relu", hidden: "256,128", lr: 0.1 };
  assert.deepEqual(Logic.compare(base, "", ""), [base]);
  const rates = Logic.compare(base, "lr", "0.01, 0.1 0.5");
  assert.deepEqual(rates.map((r) => r.lr), [0.01, 0.1, 0.5]);
  assert.deepEqual(Logic.compare(base, "hidden", "128x2; 64,64").map((r) => r.hidden), ["128x2", "64,64"]);
  assert.equal(Logic.compare(base, "activation", "").length, 5, "the example list when none is given");
  assert.throws(() => Logic.compare(base, "seed", "1"), /two to five/);
  assert.throws(() => Logic.compare(base, "seed", "1,2,3,4,5,6"), /two to five/);
});

test("a run's events fold into its points, epochs, status and result", () => {
  const events = fixture("events.json");
  const run = { points: [], epochs: [], status: "queued" };
  const redraws = events.map((e) => Logic.reduce(run, e));
  assert.equal(run.status, "finished");
  assert.ok(redraws.some(Boolean), "a status change asks for the row to be drawn again");
  assert.equal(run.epochs.length, events.filter((e) => e.event === "epoch").length);
  assert.equal(run.points.length, events.filter((e) => e.event === "live").length);
  const live = events.find((e) => e.event === "live");
  assert.equal(run.points[0].trainLoss, live.train_loss);
  assert.equal(run.points[0].grad.length, live.probe.layers.length);
  assert.equal(typeof run.test_accuracy, "number");
  // A result with the server's diagnosis: the run keeps it, and its row is drawn again.
  const dying = { points: [], epochs: [], status: "running" };
  assert.equal(Logic.reduce(dying, { event: "result", test_accuracy: 0.1135, warning: "learned nothing: 98% of layer 1's units are dead" }), true);
  assert.equal(dying.warning, "learned nothing: 98% of layer 1's units are dead");
  assert.equal(Logic.reduce({ points: [], epochs: [] }, { event: "result", test_accuracy: 0.97 }), false);
});

test("the table lists the visitor's runs, and everyone's only when asked", () => {
  const runs = [{ id: "a", editable: true }, { id: "b", editable: false }, { id: "c" }, { id: "d", editable: false }];
  assert.deepEqual(Logic.listed(runs, false).shown.map((r) => r.id), ["a", "c"]);
  assert.equal(Logic.listed(runs, false).hidden, 2);
  assert.deepEqual(Logic.listed(runs, true).shown.map((r) => r.id), ["a", "b", "c", "d"]);
  assert.equal(Logic.listed(runs, true).hidden, 0);
});

test("a waiting run says its place in line", () => {
  assert.equal(Logic.statusText({ status: "queued", place: 1 }), "queued, 1st in line");
  assert.equal(Logic.statusText({ status: "queued", place: 12 }), "queued, 12th in line");
  assert.equal(Logic.statusText({ status: "queued", place: 23 }), "queued, 23rd in line");
  assert.equal(Logic.statusText({ status: "queued" }), "queued");
  assert.equal(Logic.statusText({ status: "running", place: 3 }), "running");
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 102, 111].map(Logic.ordinal),
                   ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "102nd", "111th"]);
});

test("an address round-trips the form: only what differs from the defaults, and back", () => {
  const card = fixture("playground.json");
  const defaults = Object.assign(Logic.requestFromForm(card.settings, Logic.formValues(card.settings)), { dataset: "mnist" });
  assert.equal(Logic.address(card.settings, defaults, defaults, null), "", "the untouched form is the bare page");
  const edited = Object.assign({}, defaults, { activation: "leaky-relu:0.2", hidden: "64x8", epochs: 2, lr: 0.5, nesterov: true, dataset: "fashion-mnist" });
  const search = Logic.address(card.settings, edited, defaults, { field: "hidden", values: "128x2  128x8" });
  assert.equal(search, "?activation=leaky-relu:0.2&hidden=64x8&epochs=2&lr=0.5&nesterov=true&dataset=fashion-mnist&compare=hidden:128x2;128x8");
  const read = Logic.readAddress(card.settings, search);
  assert.deepEqual(read.problems, []);
  assert.deepEqual(read.values, { activation: "leaky-relu:0.2", hidden: "64x8", epochs: "2", lr: "0.5", nesterov: "true" });
  assert.equal(read.dataset, "fashion-mnist");
  assert.deepEqual(read.compare, { field: "hidden", values: "128x2;128x8" });
  // What the form makes of those values is the edited request again.
  const values = Object.assign(Logic.formValues(card.settings), read.values, { nesterov: true });
  const again = Logic.requestFromForm(card.settings, values);
  for (const name of ["activation", "hidden", "epochs", "lr", "nesterov"]) assert.equal(String(again[name]), String(edited[name]), name);
  // Every setting the table has can be written and read under its own name.
  for (const s of card.settings) assert.ok(!Logic.readAddress(card.settings, "?" + s.name + "=1").problems.length, s.name);
});

test("an address's own words: lesson, start, controls; anything else is named as wrong", () => {
  const card = fixture("playground.json");
  const read = Logic.readAddress(card.settings, "?lesson=dying-relu&start=1&controls=hide");
  assert.equal(read.lesson, "dying-relu");
  assert.equal(read.start, true);
  assert.equal(read.hide, true);
  assert.equal(Logic.readAddress(card.settings, "?start=0").start, false);
  const bad = Logic.readAddress(card.settings, "?activaton=relu&compare=colour:red,blue&controls=off");
  assert.equal(bad.problems.length, 3);
  assert.match(bad.problems[0], /^activaton: unknown parameter; the parameters are activation,/);
  assert.match(bad.problems[1], /^compare: give FIELD:V1,V2 with FIELD one of activation, lr, hidden, seed/);
  assert.match(bad.problems[2], /^controls: give hide or show/);
});

test("the lessons the server lists are ones the page can start and judge", () => {
  const { lessons } = fixture("lessons.json");
  assert.ok(lessons.length >= 3);
  for (const l of lessons) {
    assert.ok(l.name && l.title && l.look && l.measured && l.link === "/?lesson=" + l.name, l.name);
    assert.ok(l.runs.length >= 2 && l.focus >= 0 && l.focus < l.runs.length, l.name);
    assert.ok(l.claims.length >= 1, l.name);
  }
  assert.equal(Logic.verdictWord("supported"), "held");
  assert.equal(Logic.verdictWord("not supported"), "did not hold");
  assert.equal(Logic.verdictWord("not tested by this grid"), "not tested");
});
