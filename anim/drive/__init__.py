"""Layer 5, drive: how runs are driven (settings, the timeline, the pipeline composing one render,
frame workers, batches here or on Dask, watch mode). Imports only anim.write and below."""
