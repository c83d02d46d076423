"""The `cmsis-nn` backend: the c backend's generated model with Arm CMSIS-NN kernels as twins."""
