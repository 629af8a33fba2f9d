"""Writes batchnorm.json: torch.nn.BatchNorm1d outputs, gradients and running statistics.

Run once (PyTorch from /opt/wheels): python make_batchnorm_fixture.py
Two training steps on two batches (N=6 and N=5, C=4), then one evaluation step; the gradients are
those of sum(y * proj) in the first training step. Computed in float64, stored as plain lists.
"""
import json
import torch

torch.manual_seed(0)
C = 4
bn = torch.nn.BatchNorm1d(C, eps=1e-5, momentum=0.1).double()
with torch.no_grad():
    bn.weight.copy_(torch.tensor([1.5, -0.5, 0.75, 2.0]))
    bn.bias.copy_(torch.tensor([0.1, 0.2, -0.3, 0.0]))
r = lambda *s: (torch.rand(*s, dtype=torch.float64) * 4 - 2).round(decimals=3)
x1, x2, x3 = r(6, C), r(5, C) * 3 + 1, r(3, C)
proj = r(6, C)

bn.train()
x1.requires_grad_(True)
y1 = bn(x1)
(y1 * proj).sum().backward()
after1 = (bn.running_mean.tolist(), bn.running_var.tolist())
y2 = bn(x2).detach()
after2 = (bn.running_mean.tolist(), bn.running_var.tolist())
bn.eval()
y3 = bn(x3).detach()

fix = {
    "weight": bn.weight.tolist(), "bias": bn.bias.tolist(),
    "x1": x1.tolist(), "x2": x2.tolist(), "x3": x3.tolist(), "proj": proj.tolist(),
    "y1": y1.tolist(), "dx1": x1.grad.tolist(), "dweight": bn.weight.grad.tolist(), "dbias": bn.bias.grad.tolist(),
    "running_mean_1": after1[0], "running_var_1": after1[1],
    "y2": y2.tolist(), "running_mean_2": after2[0], "running_var_2": after2[1],
    "y3_eval": y3.tolist(),
    "torch_version": torch.__version__,
}
with open(__file__.replace("make_batchnorm_fixture.py", "batchnorm.json"), "w") as f:
    json.dump(fix, f, indent=None)
