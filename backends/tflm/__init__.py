"""The `tflm` backend: core graph -> TFLite flatbuffer for TF Lite Micro."""
