"""Layer 0: the rules of Go, as NumPy arrays and numba kernels; imports nothing else from igo."""
