"""The benchmark's applications: the same endpoints in each framework, each exposing ``app``."""
