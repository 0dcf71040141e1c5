"""Layer 1: the rules of Go, as NumPy arrays and numba kernels; below it only ``igo.files``."""
