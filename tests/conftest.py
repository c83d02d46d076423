"""Shared pytest setup: the test-support modules (tflite_builder, tflm, ...) import as top-level names."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
