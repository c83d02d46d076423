"""The `stm32cubeai` backend: an STM32Cube.AI / X-CUBE-AI style project stub over tinycc's C."""
