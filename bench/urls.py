"""The app's URLs plus the baseline page, so benchmarks never add routes to the real URLconf."""

from django.urls import include, path

from bench.baseline import baseline_view

urlpatterns = [
    path("__bench__/baseline", baseline_view, name="bench_baseline"),
    path("", include("hearth.urls")),
]
