"""The `microtvm` backend: ahead-of-time C through Apache TVM (kernels by TVM, orchestration by tinycc)."""
