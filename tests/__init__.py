"""The test suite, a package: helpers (tflm, tflite_builder, c_build, ops.check, ...) import as tests.*."""
