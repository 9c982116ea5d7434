#!/usr/bin/env python3
"""Checks an exported ONNX model the way another program would use it: `onnx.checker` (with shape
inference) accepts it, and ONNX Runtime's probabilities on every image of an IDX file equal the
trainer's own (given as raw little-endian float32, one row per image).

usage: onnx_check.py MODEL.onnx OURS.f32 IMAGES-idx3-ubyte.gz
Prints one JSON object: images, max_abs_difference, top1_disagreements, opset, metadata, inputs, outputs."""
import gzip, json, sys
import numpy as np
import onnx
import onnxruntime as ort

model_path, ours_path, images_path = sys.argv[1:4]
model = onnx.load(model_path)
onnx.checker.check_model(model, full_check=True)

raw = gzip.open(images_path).read() if images_path.endswith(".gz") else open(images_path, "rb").read()
count, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
# level × (1/255) in float32, as the trainer computes it (DigitDataset.value)
pixels = np.frombuffer(raw, np.uint8, count=count * rows * cols, offset=16).reshape(count, rows * cols).astype(np.float32) * np.float32(1 / 255)

session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
theirs = session.run(["probabilities"], {"pixels": pixels})[0]
ours = np.fromfile(ours_path, dtype="<f4").reshape(count, -1)
print(json.dumps({
    "images": count,
    "max_abs_difference": float(np.abs(theirs - ours).max()),
    "top1_disagreements": int((theirs.argmax(1) != ours.argmax(1)).sum()),
    "row_sums_off_by": float(np.abs(theirs.sum(1) - 1).max()),
    "opset": [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")][0],
    "metadata": {p.key: p.value for p in model.metadata_props},
    "inputs": [(i.name, i.shape) for i in session.get_inputs()],
    "outputs": [(o.name, o.shape) for o in session.get_outputs()],
}))
