"""Every operator against TF Lite Micro: the case generators (cases) and the checks (check)."""
