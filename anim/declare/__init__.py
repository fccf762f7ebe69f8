"""Layer 1, declare: what a user writes (Scene, Optimizer, Camera, Landscape, start points,
surfaces, data sets, optimizer names) and how a scene file is found and loaded. Imports only
anim.errors and anim.version: no torch at import, no views, no files written."""
