"""Layer 6, faces: what users touch (the Python API, the command line, the notebook display).
May import every layer below."""
