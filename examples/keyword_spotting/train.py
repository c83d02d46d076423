"""The seed guide's tiny keyword-spotting CNN (49x10 MFCC input, 5 classes), trained briefly in
Keras, saved as kws.keras with calibration samples (calibration.npz) and a test set (test.npz).

    python examples/keyword_spotting/train.py OUTDIR
    tinycc compile OUTDIR/kws.keras --calibration OUTDIR/calibration.npz --name kws -o OUTDIR/c
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from synthetic_mfcc import CLASSES, make  # noqa: E402


def build() -> keras.Model:
    return keras.Sequential([
        keras.Input(shape=(49, 10, 1)),
        keras.layers.Conv2D(8, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(16, (3, 3), activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(len(CLASSES), activation="softmax"),
    ])


def main(outdir: Path) -> None:
    outdir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    x, y = make(3000, seed=0)
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=4, batch_size=32, validation_split=0.2, verbose=0)
    x_test, y_test = make(500, seed=1)
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    model.save(outdir / "kws.keras")
    np.savez(outdir / "calibration.npz", x[:200])
    np.savez(outdir / "test.npz", x=x_test, y=y_test)
    print(f"float accuracy on 500 test samples: {acc:.1%}; wrote {outdir / 'kws.keras'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "kws_out"))
