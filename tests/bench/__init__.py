"""The benchmark harness runs (at a tiny size) and reports every named ratio."""
