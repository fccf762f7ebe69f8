"""Layer 4, write: how frames and data become files (the format registry, the encoder, atomic
files, stills, the manifest, the trajectory export, the preview page, the render cache). Imports
only anim.look and below."""
