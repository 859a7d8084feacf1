"""Single-cell layer: per-cell Jacobians of gene-regulatory networks on AnnData.

Use it the scanpy way::

    import linstab.sc as sch
    adata = sch.tl.load_model(adata, "model.h5sch")
    sch.tl.compute_jacobian_stats(adata, spliced_key="Ms", cluster_key="cell_type")
    fig = sch.pl.plot_jacobian_stats_boxplots(adata, cluster_key="cell_type")

``tl`` computes (and writes into the AnnData), ``pl`` draws (matplotlib figures, returned, never
shown), ``datasets`` provides example data. Needs the ``grn`` extra (anndata, h5py, torch,
tqdm, pandas, matplotlib).
"""

from linstab.sc import datasets, pl, tl

__all__ = ["datasets", "pl", "tl"]
