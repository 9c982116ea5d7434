#!/usr/bin/env python3
"""An independent implementation to check trainer's numbers against: the same MLP, initialisation,
optimiser and schedule-free training in PyTorch, plain float32, on the same MNIST files. Its own
random numbers (initial weights, shuffles), so the two agree in distribution over seeds, not
run by run. Prints one JSON line: the settings and the final test accuracy and loss.

    python3 scripts/torch-reference.py --optimizer adam --lr 0.001 --seed 1
    scripts/torch-reference.py --compare 3 -- --optimizer adam --lr 0.001 --epochs 3

--compare N trains seeds 1..N here and with `trainer train` (the options after `--` go to both,
with a constant schedule, which this script has, and without a validation split unless --validation
is among them: N random training images are then held out on both sides) and prints each
side's mean and spread of test accuracy, and whether the means differ by more than the noise
(Welch's t-test, two-sided 5%).

Model: 784 (pixels / 255) -> hidden layers -> 10, softmax cross-entropy. Init as trainer's
`--init`: auto (He normal for the ReLU family, Glorot normal for tanh, sigmoid and softsign,
LeCun normal for SELU), he, xavier (uniform), standard, lecun, unit-norm; biases zero.
Dropout as trainer's --dropout: inverted, after every hidden layer, off when testing.
Optimisers as trainer's: SGD with momentum (PyTorch's formulation), Adam with decoupled weight
decay (torch.optim.AdamW; weights only, not biases).
"""
import argparse, gzip, json, math, os, statistics, struct, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--data", default=os.environ.get("MNIST_MIRROR", os.path.join(ROOT, "data", "mnist")))
p.add_argument("--activation", default="relu")
p.add_argument("--hidden", default="256,128")
p.add_argument("--init", default="auto")
p.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
p.add_argument("--lr", type=float, default=0.05)
p.add_argument("--momentum", type=float, default=0.9)
p.add_argument("--weight-decay", type=float, default=0.0)
p.add_argument("--dropout", type=float, default=0.0, help="inverted dropout after every hidden layer while training")
p.add_argument("--batch-size", type=int, default=64)
p.add_argument("--epochs", type=int, default=5)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--validation", type=int, default=0, help="training images held out (a random N, not trained on)")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--trainer", default=os.path.join(ROOT, ".build", "release", "trainer"), help="the trainer binary --compare runs")
p.add_argument("--compare", type=int, default=0, help="seeds 1..N here and with trainer, side by side")
p.add_argument("rest", nargs="*", help="after --: options for both sides in --compare")
args = p.parse_args()


def trained_here(a):
    os.environ["OMP_NUM_THREADS"] = str(a.threads)
    import torch
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    def read(name):
        with gzip.open(os.path.join(a.data, name), "rb") as f:
            data = f.read()
        dims = data[3]
        shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
        return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)

    x = read("train-images-idx3-ubyte.gz").reshape(-1, 784).float() / 255
    y = read("train-labels-idx1-ubyte.gz").long()
    kept = torch.randperm(len(x))[a.validation:]
    x, y = x[kept], y[kept]
    tx = read("t10k-images-idx3-ubyte.gz").reshape(-1, 784).float() / 255
    ty = read("t10k-labels-idx1-ubyte.gz").long()

    functions = {
        "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "gelu": torch.nn.functional.gelu,
        "swish": torch.nn.functional.silu, "silu": torch.nn.functional.silu, "elu": torch.nn.functional.elu,
        "softsign": torch.nn.functional.softsign, "selu": torch.selu, "mish": torch.nn.functional.mish,
        "softplus": torch.nn.functional.softplus, "leaky-relu": lambda v: torch.nn.functional.leaky_relu(v, 0.01),
    }
    f = functions[a.activation]
    hidden = [int(w) for w in a.hidden.split(",")] if "x" not in a.hidden else [int(a.hidden.split("x")[0])] * int(a.hidden.split("x")[1])
    widths = [784] + hidden + [10]
    layers = [torch.nn.Linear(i, o) for i, o in zip(widths, widths[1:])]
    relu_family = a.activation in ("relu", "leaky-relu", "elu", "selu")
    for k, layer in enumerate(layers):
        fan_in, fan_out = layer.weight.shape[1], layer.weight.shape[0]
        rule = a.init
        if rule == "auto":
            rule = "lecun" if a.activation == "selu" else "he" if relu_family or a.activation in ("swish", "silu", "gelu", "softplus", "mish") else "glorot-normal"
        with torch.no_grad():
            if rule == "he": layer.weight.normal_(0, math.sqrt(2 / fan_in))
            elif rule == "lecun": layer.weight.normal_(0, math.sqrt(1 / fan_in))
            elif rule == "glorot-normal": layer.weight.normal_(0, math.sqrt(2 / (fan_in + fan_out)))
            elif rule == "xavier": layer.weight.uniform_(-math.sqrt(6 / (fan_in + fan_out)), math.sqrt(6 / (fan_in + fan_out)))
            elif rule == "standard": layer.weight.uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))
            elif rule == "unit-norm":
                layer.weight.normal_(0, 1)
                layer.weight /= layer.weight.norm(dim=1, keepdim=True)
            layer.bias.zero_()
    weights = [l.weight for l in layers]
    biases = [l.bias for l in layers]
    if a.optimizer == "adam":
        optimiser = torch.optim.AdamW([{"params": weights, "weight_decay": a.weight_decay},
                                       {"params": biases, "weight_decay": 0}], lr=a.lr)
    else:
        optimiser = torch.optim.SGD([{"params": weights, "weight_decay": a.weight_decay},
                                     {"params": biases, "weight_decay": 0}], lr=a.lr, momentum=a.momentum)

    def forward(v, training=False):
        for layer in layers[:-1]:
            v = torch.nn.functional.dropout(f(layer(v)), a.dropout, training=training and a.dropout > 0)
        return layers[-1](v)

    for _ in range(a.epochs):
        order = torch.randperm(len(x))
        for start in range(0, len(x), a.batch_size):
            batch = order[start:start + a.batch_size]
            loss = torch.nn.functional.cross_entropy(forward(x[batch], training=True), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    with torch.no_grad():
        logits = forward(tx)
        return {"test_accuracy": (logits.argmax(1) == ty).float().mean().item(),
                "test_loss": torch.nn.functional.cross_entropy(logits, ty).item()}


def trained_by_trainer(options, seed):
    held = [] if "--validation" in options else ["--validation", "0"]
    out = subprocess.run([args.trainer, "train", *options, *held, "--seed", str(seed), "--schedule", "constant",
                          "--json", "--quiet", "--output", f"/tmp/torch-reference-{os.getpid()}.safetensors"],
                         check=True, capture_output=True, text=True).stdout
    result = [json.loads(line) for line in out.splitlines() if '"result"' in line][-1]
    return result["test_accuracy"]


if args.compare:
    here_args = p.parse_args(args.rest)
    ours, theirs = [], []
    for seed in range(1, args.compare + 1):
        here_args.seed = seed
        theirs.append(trained_here(here_args)["test_accuracy"])
        ours.append(trained_by_trainer(args.rest, seed))
        print(f"seed {seed}: trainer {100 * ours[-1]:.2f}%  torch {100 * theirs[-1]:.2f}%", flush=True)
    spread = lambda v: statistics.stdev(v) if len(v) > 1 else 0.0
    # Welch's t: the two sides' spreads may differ.
    a, b = spread(ours) ** 2 / len(ours), spread(theirs) ** 2 / len(theirs)
    noise = math.sqrt(a + b)
    df = (a + b) ** 2 / ((a * a / (len(ours) - 1) if a else 0) + (b * b / (len(theirs) - 1) if b else 0) or 1e-300)
    # Two-sided 5% critical values of Student's t (the table Sources/Report/Statistics.swift uses).
    table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]
    critical = table[min(max(int(df), 1), len(table)) - 1] if df < 11 else 2.0
    gap = statistics.mean(ours) - statistics.mean(theirs)
    print(f"trainer {100 * statistics.mean(ours):.2f} ± {100 * spread(ours):.2f}%, torch {100 * statistics.mean(theirs):.2f} ± "
          f"{100 * spread(theirs):.2f}% (mean ± sd over {len(ours)} seeds); difference {100 * gap:+.2f} points, "
          f"{'within' if abs(gap) <= critical * max(noise, 0.0005) else 'BEYOND'} the noise (Welch t {abs(gap) / max(noise, 1e-12):.2f}, "
          f"5% critical value {critical:.2f} at {df:.1f} degrees of freedom)")
else:
    print(json.dumps({**{k: v for k, v in vars(args).items() if k not in ("rest", "compare")}, **trained_here(args)}))
