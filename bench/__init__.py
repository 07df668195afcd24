"""Request benchmarks for Hearth, run by ``make bench`` (``python -m bench``); see bench/README.md.

Nothing here imports Django at package import time: ``__main__`` must configure the environment first.
"""
