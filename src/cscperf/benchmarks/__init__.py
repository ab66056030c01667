"""The DfE's published figures in the store, and comparisons of an LA's KPIs with them.

Importers (one module per published format) write long tables in the store;
:mod:`cscperf.benchmarks.compare` reads them back as typed comparisons.
"""
