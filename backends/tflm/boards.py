"""Boards of the seed guide's table: memory to budget against, and the Arduino core to name."""
from __future__ import annotations

BOARDS = {
    "arduino-nano-33-ble": {"title": "Arduino Nano 33 BLE Sense", "core": "Cortex-M4F", "sram": 256 * 1024,
                            "flash": 1024 * 1024, "fqbn": "arduino:mbed_nano:nano33ble"},
    "esp32-s3": {"title": "ESP32-S3", "core": "Xtensa LX7", "sram": 512 * 1024, "flash": 8 * 1024 * 1024,
                 "fqbn": "esp32:esp32:esp32s3"},
    "stm32h747": {"title": "STM32H747 (Portenta H7)", "core": "Cortex-M7 + M4", "sram": 1024 * 1024,
                  "flash": 2 * 1024 * 1024, "fqbn": "arduino:mbed_portenta:envie_m7"},
    "rpi-pico-2": {"title": "Raspberry Pi Pico 2", "core": "Cortex-M33", "sram": 520 * 1024,
                   "flash": 4 * 1024 * 1024, "fqbn": "rp2040:rp2040:rpipico2"},
}
STACK_RESERVE = 16 * 1024      # the seed's "stack + heap: reserve 8-16 KB"
