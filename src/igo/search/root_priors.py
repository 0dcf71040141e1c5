"""The root's priors at the start of each search: the clean priors back, then this search's noise.

A tree kept between moves (``reuse_tree``) keeps the noise an earlier search added to its root:
the clean priors are saved before noise is added and restored first. Then, once the root has the
evaluator's priors, a full PUCT search adds fresh Dirichlet noise (AlphaGo Zero), or a Gumbel
search draws its Gumbel noise and starts sequential halving (``gumbel.py``); a cheap search of
playout cap randomisation adds none. A root restricted to some moves (``MultiSearch.restrict_root``)
is restricted first.
"""

from __future__ import annotations

from igo.search.batch import SearchJob
from igo.search.config import SearchConfig
from igo.search.gumbel import start_halving
from igo.search.puct import add_dirichlet_noise, dirichlet_alpha_for
from igo.search.tree import EVALUATOR_PRIORS, restrict_root


def refresh_root(job: SearchJob, config: SearchConfig) -> None:
    """Once ``job``'s root has evaluator priors: restore the clean ones, then add this search's
    noise (once per search: ``job.noise_done``)."""
    t = job.arrays
    if job.noise_done or t.expanded[0] != EVALUATOR_PRIORS:
        return
    if job.allowed is not None:
        restrict_root(t, job.allowed)
    first, num = int(t.first_edge[0]), int(t.num_edges[0])
    priors = t.edge_prior[first : first + num]
    if job.tree.clean_priors is not None:
        priors[:] = job.tree.clean_priors
        job.tree.clean_priors = None
    eps = config.dirichlet_epsilon
    if config.gumbel:
        start_halving(job.arrays, job.root.gumbel, config, job.remaining, job.full, job.tree.rng)
    elif job.full and eps > 0.0:
        job.tree.clean_priors = priors.copy()
        alpha = dirichlet_alpha_for(num, config.dirichlet_alpha)
        priors[:] = add_dirichlet_noise(priors, alpha, eps, job.tree.rng)
    job.noise_done = True
