"""Production settings (``hearth.settings``) with the bench's URLconf, which adds only ``/__bench__/baseline``.

``bench.throughput`` serves with these so the signed-in baseline can be timed on the real server beside the chart;
every other setting, the middleware and the app's URLs are exactly production's.
"""

from hearth.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
