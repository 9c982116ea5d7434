#!/usr/bin/env python3
"""A class of N students on one `trainer serve`, each a browser of their own (their own cookie):
opens the page, starts a lesson's run (every fifth student compares two), follows its events,
and draws digits for predictions while the runs train. A teacher's view polls the runs list.
Prints latency percentiles, when each student's first run started, each person's share of the
training thread while everyone trained, and checks every bound; exits 1 if one is broken.

usage: class.py URL DRAWINGS_FOLDER STUDENTS EPOCHS TIMEOUT SLICE
Standard library only; loopback only."""
import http.client, json, os, random, statistics, sys, threading, time, urllib.parse

url, drawings, students, epochs, timeout, slice_seconds = (
    sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
target = urllib.parse.urlparse(url)
assert target.hostname in ("127.0.0.1", "localhost", "::1"), "bench-class talks to loopback only"
pictures = [open(os.path.join(drawings, f), "rb").read() for f in sorted(os.listdir(drawings)) if f.endswith(".png")]
page_files = ["/", "/page.css", "/inside.css", "/playground.css", "/logic.js", "/inside.js", "/pad.js", "/playground.js", "/main.js"]
deadline = time.time() + timeout
lock = threading.Lock()
page_ms, predict_ms, delivery_ms, failures = [], [], [], []
runs = {}  # id -> {"student": k, "epochs_seen": n, "result": bool}
done = threading.Event()


def connect():
    return http.client.HTTPConnection(target.hostname, target.port, timeout=120)


class Student:
    def __init__(self, k):
        self.k, self.cookie, self.ids = k, None, []
        self.random = random.Random(k)

    def request(self, connection, method, path, body=None, kind=None):
        headers = {"Host": target.netloc}
        if self.cookie: headers["Cookie"] = self.cookie
        if kind: headers["Content-Type"] = kind
        if method != "GET": headers["Origin"] = "http://" + target.netloc
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        data = answer.read()
        elapsed = 1000 * (time.perf_counter() - started)
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie" and value.startswith("trainer_person="):
                self.cookie = value.split(";")[0]
        if answer.status >= 400:
            with lock: failures.append(f"student {self.k}: {method} {path} -> {answer.status} {data[:200]!r}")
        return answer.status, data, elapsed

    def run(self):
        try:
            c = connect()
            started = time.perf_counter()
            for path in page_files: self.request(c, "GET", path)
            with lock: page_ms.append(1000 * (time.perf_counter() - started))
            self.request(c, "GET", "/api/playground")  # gets the person cookie, as the page does
            lesson = ["sigmoid", "relu"] if self.k % 5 == 0 else [self.random.choice(["sigmoid", "relu"])]
            for activation in lesson:
                body = json.dumps({"activation": activation, "hidden": "64x8", "epochs": epochs}).encode()
                status, data, _ = self.request(c, "POST", "/api/runs", body, "application/json")
                if status != 201: return
                run = json.loads(data)
                self.ids.append(run["id"])
                with lock: runs[run["id"]] = {"student": self.k, "epochs_seen": 0, "result": False, "status": None}
            threading.Thread(target=self.follow, daemon=True).start()
            while not done.is_set() and time.time() < deadline:
                time.sleep(self.random.uniform(1.0, 3.0))  # a digit drawn every two seconds or so
                _, _, ms = self.request(c, "POST", "/api/predict", self.random.choice(pictures), "image/png")
                with lock: predict_ms.append(ms)
        except Exception as error:  # a dropped connection is a failure, not the end of the bench
            with lock: failures.append(f"student {self.k}: {error!r}")

    def follow(self):
        """The page's one event stream for its runs; counts epochs and results, times live delivery."""
        try:
            c = connect()
            c.request("GET", "/api/events?runs=" + ",".join(self.ids), headers={"Host": target.netloc, "Cookie": self.cookie or ""})
            answer = c.getresponse()
            sent = None
            while True:
                line = answer.fp.readline()
                if not line: break
                line = line.decode().rstrip("\r\n")
                if line.startswith(": sent "):
                    sent = float(line[7:])
                elif line.startswith("data: "):
                    if sent is not None:
                        with lock: delivery_ms.append(1000 * (time.time() - sent))
                    sent = None
                    if '"event":"live"' in line: continue
                    event = json.loads(line[6:])
                    with lock:
                        record = runs[event["run"]]
                        if event["event"] == "epoch": record["epochs_seen"] += 1
                        if event["event"] == "result": record["result"] = True
                        if event["event"] == "status": record["status"] = event["status"]
        except Exception as error:
            with lock: failures.append(f"student {self.k} events: {error!r}")


def teacher(samples):
    """Polls the runs list (everyone's runs, each with its owner and trained seconds) four times a second."""
    c = connect()
    while not done.is_set() and time.time() < deadline:
        c.request("GET", "/api/runs", headers={"Host": target.netloc})
        answer = json.loads(c.getresponse().read())["runs"]
        samples.append((time.time(), answer))
        if len(answer) >= expected_runs and all(r["status"] in ("finished", "failed", "cancelled") for r in answer):
            done.set()
        time.sleep(0.25)


expected_runs = students + len([k for k in range(students) if k % 5 == 0])
samples = []
class_ = [Student(k) for k in range(students)]
watcher = threading.Thread(target=teacher, args=(samples,), daemon=True)
watcher.start()
threads = [threading.Thread(target=s.run, daemon=True) for s in class_]
for t in threads:
    t.start()
    time.sleep(0.02)  # a class arrives within a second, not in the same microsecond
for t in threads: t.join(max(1, deadline - time.time()))
watcher.join(max(1, deadline - time.time() + 5))
time.sleep(1)  # the last events reach their streams


def percentiles(values):
    if not values: return "no samples"
    q = statistics.quantiles(values, n=100, method="inclusive")
    return f"p50 {q[49]:7.1f}  p95 {q[94]:7.1f}  p99 {q[98]:7.1f} ms  ({len(values)})"


final = {r["id"]: r for r in samples[-1][1]} if samples else {}
broken = []
print(f"class: {students} students, {expected_runs} runs (every fifth student compares sigmoid with relu) of 64x8, {epochs} epochs; turns of {slice_seconds} s")
print(f"page load ({len(page_files)} files): {percentiles(page_ms)}")
print(f"predictions:            {percentiles(predict_ms)}")
print(f"event delivery:         {percentiles(delivery_ms)}")
if predict_ms and statistics.quantiles(predict_ms, n=100, method='inclusive')[98] >= 250: broken.append("prediction p99 is 250 ms or more")
if not delivery_ms: broken.append("no event carried its sending time")

# When each student's first run started training: the server's own waited_seconds.
bound = students * slice_seconds * 1.5 + 2
waits = {}
for run in final.values():
    if run.get("waited_seconds") is not None:
        owner = run["owner"]
        waits[owner] = min(waits.get(owner, 1e9), run["waited_seconds"])
if waits:
    print(f"first run of each student started after: median {statistics.median(waits.values()):.1f} s, max {max(waits.values()):.1f} s "
          f"(bound {bound:.1f} s: one round of turns of every other student, each the slice and a batch, with half again to spare)")
if len(waits) < students: broken.append(f"only {len(waits)} of {students} students' runs started")
elif max(waits.values()) > bound: broken.append(f"a first run waited {max(waits.values()):.1f} s, over the {bound:.1f} s bound")

# Each person's share of training while every student had a run in training: from the moment the
# last student's first run started to the moment the first student had nothing left to train.
def per_person(runs_now):
    totals, active = {}, {}
    for r in runs_now:
        totals[r["owner"]] = totals.get(r["owner"], 0) + (r.get("trained_seconds") or 0)
        active[r["owner"]] = active.get(r["owner"], False) or r["status"] in ("queued", "running", "paused")
    return totals, active
start = next((i for i, (_, rs) in enumerate(samples)
              if len({r["owner"] for r in rs if r.get("waited_seconds") is not None}) == students), None)
end = None
if start is not None:
    end = next((i for i in range(start, len(samples)) if not all(per_person(samples[i][1])[1].values())), len(samples) - 1)
if start is None or end is None or end <= start:
    broken.append("no window in which every student had a run in training")
else:
    before, after = per_person(samples[start][1])[0], per_person(samples[end][1])[0]
    shares = {p: after[p] - before.get(p, 0) for p in after}
    window = samples[end][0] - samples[start][0]
    low, high = min(shares.values()), max(shares.values())
    twice = {p for p in shares if sum(1 for r in samples[end][1] if r["owner"] == p) == 2}
    two, one = [shares[p] for p in twice], [shares[p] for p in shares if p not in twice]
    print(f"training per person while all {students} trained ({window:.0f} s): min {low:.2f} s, max {high:.2f} s, "
          f"ratio {high / max(low, 1e-9):.2f} (bound 1.20); students with two runs: mean {statistics.mean(two) if two else 0:.2f} s, "
          f"with one: mean {statistics.mean(one) if one else 0:.2f} s")
    if high > 1.2 * low: broken.append(f"training shares differ by more than 20% ({low:.2f} to {high:.2f} s)")

# Every run finished, with all its epoch records, on the server and in its student's stream.
finished = [r for r in final.values() if r["status"] == "finished" and r["epochs_completed"] == epochs and r.get("test_accuracy") is not None]
streamed = [r for r in runs.values() if r["epochs_seen"] == epochs and r["result"]]
print(f"runs: {len(finished)} of {expected_runs} finished with {epochs} epoch records and a test accuracy; "
      f"{len(streamed)} streams carried every epoch and the result; requests failed: {len(failures)}")
if len(finished) != expected_runs or len(streamed) != expected_runs: broken.append("not every run finished whole")
for line in failures[:10]: print("  " + line)
if failures: broken.append(f"{len(failures)} requests failed")
if time.time() > deadline: broken.append(f"the class did not finish within {timeout:.0f} s")
print("all bounds hold" if not broken else "BROKEN: " + "; ".join(broken))
sys.exit(1 if broken else 0)
