"""Qualiti's command-line client for pipelines (`qualiti gate …`): no Django, no engine."""

__version__ = "0.1.0"
