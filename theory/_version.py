"""The package version (read by ``pyproject.toml``, ``theory.__version__`` and ``imagination --version``)."""

__version__ = "0.2.0"
