"""Real-client tests of rendered outputs (a package, so its conftest does not shadow tests/conftest.py)."""
