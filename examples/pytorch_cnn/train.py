"""A PyTorch twin of the keyword-spotting CNN, trained briefly and saved as an ExportedProgram.

    python examples/pytorch_cnn/train.py OUTDIR
    tinycc compile OUTDIR/kws.pt2 --calibration OUTDIR/calibration.npz --name kws -o OUTDIR/c

Inputs are NCHW (1, 1, 49, 10), as PyTorch has them; the compiled model keeps that layout.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "keyword_spotting"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from synthetic_mfcc import CLASSES, make  # noqa: E402


class KWS(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3)
        self.conv2 = torch.nn.Conv2d(8, 16, 3)
        self.fc1 = torch.nn.Linear(16 * 10 * 1, 32)
        self.fc2 = torch.nn.Linear(32, len(CLASSES))

    def forward(self, x):
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = torch.relu(self.fc1(x.flatten(1)))
        return torch.softmax(self.fc2(x), dim=-1)


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    x, y = make(3000, seed=0)
    x = x.transpose(0, 3, 1, 2).copy()                      # NHWC -> NCHW
    model = KWS()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for _ in range(4):
        for i in range(0, len(x), 32):
            opt.zero_grad()
            probs = model(xt[i:i + 32])
            loss = torch.nn.functional.nll_loss(torch.log(probs + 1e-9), yt[i:i + 32])
            loss.backward()
            opt.step()
    model.eval()
    x_test, y_test = make(500, seed=1)
    x_test = x_test.transpose(0, 3, 1, 2).copy()
    with torch.no_grad():
        acc = float((model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean())
    torch.export.save(torch.export.export(model, (torch.zeros(1, 1, 49, 10),)), str(outdir / "kws.pt2"))
    np.savez(outdir / "calibration.npz", x[:200])
    np.savez(outdir / "test.npz", x=x_test, y=y_test)
    print(f"float accuracy on 500 test samples: {acc:.1%}; wrote {outdir / 'kws.pt2'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "kws_torch_out"))
