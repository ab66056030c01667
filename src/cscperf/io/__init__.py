"""File readers, one module per format; see :mod:`cscperf.io.base` for the contract."""
