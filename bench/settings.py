"""Production settings plus one bare view, the baseline every figure is compared to."""

from nexus.config.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
