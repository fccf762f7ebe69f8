"""optianim's version: one fact every layer may read (the manifest, the cache key, batch.json)."""

__version__ = "0.1.0"
