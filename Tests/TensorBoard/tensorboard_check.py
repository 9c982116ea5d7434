#!/usr/bin/env python3
"""Reads digit-trainer's TensorBoard logs with TensorBoard's own code (PyPI `tensorboard`), as a
user's TensorBoard would, and checks them against what the run printed. Prints one JSON object;
exits 1 with the reasons when something differs.

  tensorboard_check.py run LOGDIR JSONLINES     every scalar against the run's --json lines, the
                                                histograms' counts against the layers, the HParams session
  tensorboard_check.py corrupt EVENTFILE        one byte changed in a record: the reader refuses it
  tensorboard_check.py ablation LOGDIR RESULTS  the HParams experiment and each cell's session and result
  tensorboard_check.py steps LOGDIR             every record of every file: no tag twice at a step,
                                                steps increasing
"""
import glob, json, os, shutil, struct, sys, tempfile, warnings

warnings.filterwarnings("ignore")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub import errors
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New
from tensorboard.plugins.hparams import metadata as hparams

problems = []


def check(condition, what):
    if not condition:
        problems.append(what)


def f32(x):
    """A double as the float32 a scalar event holds."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def load(folder):
    accumulator = EventAccumulator(folder, size_guidance={"scalars": 0, "histograms": 0, "tensors": 0},
                                   purge_orphaned_data=False)
    accumulator.Reload()
    return accumulator


def events(path):
    """Every event of one file through TensorBoard's record reader, which checks each CRC."""
    reader = PyRecordReader_New(path)
    out = []
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            return out
        out.append(event_pb2.Event.FromString(reader.record()))


def session_hparams(accumulator):
    content = accumulator.SummaryMetadata(hparams.SESSION_START_INFO_TAG).plugin_data.content
    info = hparams.parse_session_start_info_plugin_data(content)
    return {name: value.WhichOneof("kind") and getattr(value, value.WhichOneof("kind")) for name, value in info.hparams.items()}


def check_run(folder, lines_path):
    lines = [json.loads(line) for line in open(lines_path) if line.startswith("{")]
    batches = [l for l in lines if l["event"] == "batch"]
    epochs = [l["record"] for l in lines if l["event"] == "epoch"]
    result = [l for l in lines if l["event"] == "result"][0]
    per_epoch = batches[0]["batches"]
    expected = {}

    def expect(tag, step, value):
        expected.setdefault(tag, []).append((step, f32(value)))

    for b in batches:
        expect("train/loss", b["step"], b["recent_loss"])
        expect("train/accuracy", b["step"], b["recent_accuracy"])
        expect("train/learning_rate", b["step"], b["learning_rate"])
    for r in epochs:
        step = r["epoch"] * per_epoch
        expect("train/epoch_loss", step, r["trainLoss"])
        expect("train/epoch_accuracy", step, r["trainAccuracy"])
        expect("validation/loss", step, r["validationLoss"])
        expect("validation/accuracy", step, r["validationAccuracy"])
        layers = r["probe"]["layers"]
        for i, layer in enumerate(layers):
            name = "layer%d" % (i + 1)
            expect(name + "/gradient_norm", step, layer["gradientNorm"])
            expect(name + "/dead_fraction", step, layer["deadFraction"])
            expect(name + "/saturated_fraction", step, layer["saturatedFraction"])
            expect(name + "/mean_activation", step, layer["meanActivation"])
    final = epochs[-1]["epoch"] * per_epoch
    expect("test/accuracy", final, result["test_accuracy"])
    expect("test/loss", final, result["test_loss"])

    accumulator = load(folder)
    tags = accumulator.Tags()
    check(sorted(tags["scalars"]) == sorted(expected), "scalar tags %s, expected %s" % (sorted(tags["scalars"]), sorted(expected)))
    values = 0
    for tag, want in expected.items():
        got = [(e.step, e.value) for e in accumulator.Scalars(tag)] if tag in tags["scalars"] else []
        check(got == want, "%s: %s... differ from the JSON lines' %s..." % (tag, got[:3], want[:3]))
        values += len(got)

    settings = session_hparams(accumulator)
    hidden = [int(w) for w in str(settings["hidden"]).split(",")]
    widths = [784] + hidden + [10]
    images = epochs[-1]["probe"]["images"]
    histograms = 0
    for i in range(len(widths) - 1):
        name = "output" if i == len(widths) - 2 else "layer%d" % (i + 1)
        kinds = {"weights": widths[i] * widths[i + 1]}
        if name != "output":
            kinds.update(pre_activations=images * widths[i + 1], activations=images * widths[i + 1])
        for kind, count in kinds.items():
            series = accumulator.Histograms(name + "/" + kind)
            check([h.step for h in series] == [r["epoch"] * per_epoch for r in epochs], "%s/%s: steps" % (name, kind))
            for h in series:
                v = h.histogram_value
                check(v.num == count and sum(v.bucket) == count, "%s/%s: %s values, expected %s" % (name, kind, v.num, count))
                check(v.min <= v.max and v.bucket_limit[-1] == v.max, "%s/%s: range" % (name, kind))
            histograms += len(series)
    check(settings.get("activation") == "relu" and settings.get("epochs") == len(epochs), "hparams %s" % settings)
    end = hparams.parse_session_end_info_plugin_data(
        accumulator.SummaryMetadata(hparams.SESSION_END_INFO_TAG).plugin_data.content)
    check(end.status == 1, "session end status %s" % end.status)
    command = accumulator.Tensors("run/command")[0].tensor_proto.string_val[0].decode()
    check("--log-dir" in command, "run/command: %r" % command)
    return {"scalar_tags": len(expected), "scalar_values": values, "histograms": histograms, "hparams": len(settings)}


def check_corrupt(path):
    intact = events(path)
    damaged = tempfile.mkdtemp()
    copy = os.path.join(damaged, os.path.basename(path))
    shutil.copy(path, copy)
    data = bytearray(open(copy, "rb").read())
    # The byte 3 into the data of the record in the middle of the file.
    at, index = 0, 0
    while index < len(intact) // 2:
        at += 16 + struct.unpack("<Q", data[at:at + 8])[0]
        index += 1
    data[at + 12 + 3] ^= 0x01
    open(copy, "wb").write(bytes(data))
    reader = PyRecordReader_New(copy)
    read, refused = 0, False
    while True:
        try:
            reader.GetNext()
            read += 1
        except errors.DataLossError:
            refused = True
            break
        except errors.OutOfRangeError:
            break
    check(refused and read == index, "the damaged record %d: refused %s after %d records" % (index, refused, read))
    # TensorBoard's accumulator stops at the damaged record: the events before it, nothing after.
    before = sum(1 for e in intact[:index] for v in e.summary.value if v.HasField("simple_value"))
    accumulator = load(damaged)
    seen = sum(len(accumulator.Scalars(t)) for t in accumulator.Tags()["scalars"])
    check(seen == before, "after the damage TensorBoard shows %d scalars, expected %d" % (seen, before))
    shutil.rmtree(damaged)
    return {"records": len(intact), "damaged_record": index, "read_before_refusal": read, "scalars_shown": seen}


def check_ablation(folder, results):
    root = load(folder)
    experiment = hparams.parse_experiment_plugin_data(root.SummaryMetadata(hparams.EXPERIMENT_TAG).plugin_data.content)
    domains = {info.name: [v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for v in info.domain_discrete.values]
               for info in experiment.hparam_infos}
    metrics = [m.name.tag for m in experiment.metric_infos]
    cells = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(results, "cells", "*.json")))
    sessions = {}
    for cell in cells:
        accumulator = load(os.path.join(folder, cell))
        result = json.load(open(os.path.join(results, "cells", cell + ".json")))
        settings = session_hparams(accumulator)
        sessions[cell] = settings
        for name in domains:
            check(settings[name] in domains[name], "%s: %s %r is not in the experiment's domain" % (cell, name, settings[name]))
        got = accumulator.Scalars("test/accuracy")[-1].value
        check(got == f32(result["testAccuracy"]), "%s: test/accuracy %s, cell says %s" % (cell, got, result["testAccuracy"]))
        for metric in metrics:
            check(metric in accumulator.Tags()["scalars"], "%s: no %s" % (cell, metric))
    return {"hparams": domains, "metrics": metrics, "sessions": len(sessions)}


def check_steps(folder):
    steps = {}
    files = sorted(glob.glob(os.path.join(folder, "*tfevents*")))
    for path in files:
        for event in events(path):
            for value in event.summary.value:
                steps.setdefault(value.tag, []).append(event.step)
    for tag, series in steps.items():
        check(all(a < b for a, b in zip(series, series[1:])), "%s: steps %s" % (tag, series))
    return {"files": len(files), "steps": steps}


if __name__ == "__main__":
    what, args = sys.argv[1], sys.argv[2:]
    answer = {"run": check_run, "corrupt": check_corrupt, "ablation": check_ablation, "steps": check_steps}[what](*args)
    answer["problems"] = problems
    print(json.dumps(answer, default=str))
    sys.exit(1 if problems else 0)
