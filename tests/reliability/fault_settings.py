"""Production settings with one extra URL that fails on purpose, for the logging test."""

from config.settings.production import *  # noqa: F403

# Only here: config.urls plus /fault/, which raises.
ROOT_URLCONF = "tests.reliability.fault_urls"
