"""TF Lite Micro's custom operators: how the firmware stub registers each one.

A custom operator is named by its `custom_code` in the flatbuffer. TF Lite Micro's resolver has a
method for some (`AddDetectionPostprocess()`, `AddCircularBuffer()`, `AddEthosU()`); the signal
library's (the audio front end) are added with `AddCustom(code, registration)`, the registration
functions declared by the stub itself (signal/micro/kernels, namespace tflite::tflm_signal).
"""
from __future__ import annotations

METHODS = {"TFLite_Detection_PostProcess": "AddDetectionPostprocess", "CIRCULAR_BUFFER": "AddCircularBuffer",
           "ethos-u": "AddEthosU", "TFLM_DECODE": "AddDecode"}      # TFLM_DECODE: LUT weights (core/lut.py)

SIGNAL = {"SignalWindow": "WINDOW", "SignalFftAutoScale": "FFT_AUTO_SCALE", "SignalRfft": "RFFT",
          "SignalIrfft": "IRFFT", "SignalEnergy": "ENERGY", "SignalFilterBank": "FILTER_BANK",
          "SignalFilterBankSquareRoot": "FILTER_BANK_SQUARE_ROOT",
          "SignalFilterBankSpectralSubtraction": "FILTER_BANK_SPECTRAL_SUBTRACTION",
          "SignalFilterBankLog": "FILTER_BANK_LOG", "SignalPCAN": "PCAN", "SignalStacker": "STACKER",
          "SignalDelay": "DELAY", "SignalFramer": "FRAMER", "SignalOverlapAdd": "OVERLAP_ADD"}


def known(code: str) -> bool:
    return code in METHODS or code in SIGNAL


def call(code: str) -> str:
    """The resolver call (after `resolver.`) that registers the custom operator `code`."""
    if code in METHODS:
        return f"{METHODS[code]}()"
    return f'AddCustom("{code}", tflite::tflm_signal::Register_{SIGNAL[code]}())'


def declaration(code: str) -> str | None:
    """The C++ declaration the stub needs before registering `code`, or None."""
    return None if code in METHODS else f"TFLMRegistration* Register_{SIGNAL[code]}();"
