"""A plane through weight space: its directions (PCA of the paths, filter-normalised random, or
given), each point's least-squares coordinates on it, and the loss on it evaluated in batches."""

import numpy as np

from anim.errors import SceneError

DEGENERATE = 1e-6  # the second principal direction holds less than this share of the first's: no plane
CHUNK_ELEMENTS = 2 ** 17  # grid points x examples evaluated at once: bounds the activations' memory


def pca_directions(deltas):
    """The two principal directions of `deltas` (points minus the centre, [N, P] float64) through
    the centre (not mean-centred: the plane passes through the centre), and the share of
    sum |delta|^2 each explains."""
    deltas = deltas[np.isfinite(deltas).all(axis=1)]
    if not len(deltas) or not np.any(deltas):
        raise SceneError("plane: 'pca' needs paths that move, and no optimizer moved from the centre; "
                         "raise the learning rates, or use plane='random' or two directions (d1, d2)")
    _, singular, vt = np.linalg.svd(deltas, full_matrices=False)
    energy = singular ** 2
    if len(energy) < 2 or energy[1] < DEGENERATE * energy[0]:
        raise SceneError("plane: 'pca' found the paths on one line through the centre (their second principal "
                         "direction holds none of their movement), so they span no plane; add an optimizer "
                         "that moves differently, or use plane='random' or two directions (d1, d2)")
    share = energy / energy.sum()
    return vt[:2], (float(share[0]), float(share[1]))


def filter_normalized(directions, weights):
    """Li et al.'s filter normalisation, per parameter tensor (lists of torch tensors, parameters()
    order): each filter (slice along the first axis) of a parameter with two or more axes is
    rescaled to the norm of the same filter of the weights; parameters with fewer axes (biases,
    norm layers' scales and shifts) get zero, so the plane moves only the weight matrices and kernels."""
    normalized = []
    for direction, weight in zip(directions, weights):
        if weight.dim() <= 1:
            normalized.append(direction.new_zeros(direction.shape))
            continue
        d = direction.reshape(direction.shape[0], -1)
        w = weight.reshape(weight.shape[0], -1)
        d_norm = d.norm(dim=1, keepdim=True)
        scale = w.norm(dim=1, keepdim=True) / d_norm.where(d_norm > 0, d_norm.new_ones(()))
        normalized.append((d * scale).reshape(direction.shape))
    return normalized


def random_directions(weights, seed=0):
    """Two filter-normalised Gaussian directions for the parameter tensors `weights` (the
    centre's), drawn from torch.Generator().manual_seed(seed): d1's tensors, then d2's."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    pair = []
    for _ in range(2):
        drawn = [torch.randn(w.shape, generator=generator, dtype=torch.float32) for w in weights]
        pair.append(torch.cat([d.reshape(-1) for d in filter_normalized(drawn, weights)]))
    return torch.stack(pair).double().numpy()


def coordinates(deltas, directions):
    """Each point's least-squares coordinates (a, b) on the plane spanned by `directions` [2, P]
    (not necessarily orthonormal) and its distance from the plane: ([N, 2], [N]), float64."""
    gram = directions @ directions.T
    with np.errstate(invalid="ignore", over="ignore"):
        coords = np.linalg.solve(gram, directions @ deltas.T).T
        residual = deltas - coords @ directions
        return coords, np.sqrt(np.einsum("ij,ij->i", residual, residual))


def check_directions(directions, parameters):
    """The given plane (d1, d2) as a float64 [2, P] array: each of P values, finite, not parallel."""
    rows = []
    for i, direction in enumerate(directions, 1):
        try:
            values = np.asarray(getattr(direction, "detach", lambda: direction)(), dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise SceneError(f"plane: direction {i} is {type(direction).__name__}; give a tensor of the "
                             f"model's {parameters:,} weights (parameters() order, flattened)") from None
        if values.size != parameters:
            raise SceneError(f"plane: direction {i} has {values.size:,} values; the model has {parameters:,} "
                             "parameters (give them in parameters() order, flattened)")
        if not np.isfinite(values).all():
            raise SceneError(f"plane: direction {i} has values that are not finite")
        rows.append(values)
    pair = np.stack(rows)
    gram = pair @ pair.T
    if gram[0, 0] == 0 or gram[1, 1] == 0 or np.linalg.det(gram) <= 1e-12 * gram[0, 0] * gram[1, 1]:
        raise SceneError("plane: the two directions are zero or parallel, so they span no plane")
    return pair


class LossOnPlane:
    """The model's loss at centre + a*d1 + b*d2: `surface(w1, w2)` on tensors of one shape (the
    view's grid) as an elementwise surface does, or `at(coords)` on [N, 2] points. Evaluated with
    torch.func.functional_call under vmap, `chunk` points at a time, on a copy of the model; a
    grid asked for again is not evaluated again. `resolution`: samples per side every view shares."""

    def __init__(self, model, X, y, loss, center, directions, resolution):
        import copy

        import torch

        self.model = copy.deepcopy(model)
        self.X, self.y, self.loss = X, y, loss
        self.center = torch.as_tensor(center, dtype=torch.float32)
        self.directions = torch.as_tensor(directions, dtype=torch.float32)
        self.resolution = resolution
        named = dict(self.model.named_parameters())
        self.names = list(named)
        self.shapes = [p.shape for p in named.values()]
        self.sizes = [p.numel() for p in named.values()]
        self.buffers = dict(self.model.named_buffers())
        self.chunk = max(1, CHUNK_ELEMENTS // max(len(X), 1))
        self.batched = True  # False once vmap failed and the points were evaluated one by one
        self._last = None

    def __call__(self, w1, w2):
        import torch

        key = (tuple(w1.shape), w1.detach().numpy().tobytes(), w2.detach().numpy().tobytes())
        if self._last is None or self._last[0] != key:
            points = torch.stack([w1.reshape(-1), w2.reshape(-1)], dim=1)
            self._last = (key, self.at(points).reshape(w1.shape))
        return self._last[1]

    def weights(self, points):
        """The flat weight vectors at plane coordinates `points` [k, 2]: centre + a*d1 + b*d2."""
        points = points.float()  # the same float32 operations, in the same order, as naive_losses
        return self.center + points[:, :1] * self.directions[0] + points[:, 1:] * self.directions[1]

    def at(self, points):
        """The loss at each of `points` [N, 2] (a tensor or array), a float32 tensor [N]."""
        import torch

        points = torch.as_tensor(np.asarray(points, dtype=np.float32))
        losses = []
        with torch.no_grad():
            for start in range(0, len(points), self.chunk):
                flats = self.weights(points[start:start + self.chunk])
                losses.append(self._batch(flats))
        return torch.cat(losses) if losses else torch.empty(0)

    def _one(self, flat):
        from torch.func import functional_call

        params = {name: piece.reshape(shape)
                  for name, piece, shape in zip(self.names, flat.split(self.sizes), self.shapes)}
        return self.loss(functional_call(self.model, {**params, **self.buffers}, (self.X,)), self.y).reshape(())

    def _batch(self, flats):
        import torch

        if self.batched:
            try:
                return torch.func.vmap(self._one, randomness="same")(flats).float()
            except Exception:  # a loss or layer torch.func cannot batch: point by point
                self.batched = False
        return torch.stack([self._one(flat) for flat in flats]).float()


def naive_losses(model, X, y, loss, center, directions, points):
    """The reference: load each point's weights into the model (vector_to_parameters) and evaluate
    it, one point at a time; a float32 array [N]. For the tests and the benchmark."""
    import torch

    center = torch.as_tensor(center, dtype=torch.float32)
    directions = torch.as_tensor(directions, dtype=torch.float32)
    values = []
    with torch.no_grad():
        for point in torch.as_tensor(np.asarray(points, dtype=np.float32)):
            flat = center + point[:1] * directions[0] + point[1:] * directions[1]
            torch.nn.utils.vector_to_parameters(flat, model.parameters())
            values.append(float(loss(model(X), y)))
    return np.array(values, dtype=np.float32)
