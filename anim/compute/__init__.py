"""Layer 2, compute: what torch computes from a scene (stepping each optimizer, the trajectories,
training a landscape's network and its plane, the view window and the sampled surface). Imports
only anim.declare and below."""
