"""Small ONNX models made by PyTorch's exporter, for test/onnx/as-module.test.ts: an MLP
(initializers named by PyTorch's state-dict keys) and a CNN (Conv + BatchNorm, which
torch.onnx folds into Conv initializers named "onnx::Conv_*"), with a batch of inputs
and PyTorch's outputs for them.

Usage: /usr/bin/python3 scripts/onnx/gen_export_fixtures.py
"""
import json
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "onnx-export")


def export(name, model, x):
    model.eval()
    path = os.path.join(OUT, f"{name}.onnx")
    torch.onnx.export(model, x, path, opset_version=17, input_names=["x"], output_names=["y"], dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    with torch.no_grad():
        y = model(x)
    return {"file": f"{name}.onnx", "input": {"shape": list(x.shape), "data": x.flatten().tolist()}, "output": {"shape": list(y.shape), "data": y.flatten().tolist()}}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 3 * 3, 2))
    with torch.no_grad():
        cnn[1].running_mean.uniform_(-0.2, 0.2)
        cnn[1].running_var.uniform_(0.5, 1.5)
    cases = {"mlp": export("mlp", mlp, torch.randn(8, 6)), "cnn": export("cnn", cnn, torch.randn(8, 1, 6, 6))}
    with open(os.path.join(OUT, "models.json"), "w") as f:
        json.dump({"generator": "scripts/onnx/gen_export_fixtures.py", "torch": torch.__version__, "cases": cases}, f)


if __name__ == "__main__":
    main()
