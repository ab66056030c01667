"""cscperf — children's social care performance for English local authorities."""

__version__ = "0.1.0"
