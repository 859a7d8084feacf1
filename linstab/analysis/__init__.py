"""Composition layer: where the symbolic results (:mod:`linstab.sym`) meet the numerics (:mod:`linstab.num`).

The report (derivation plus numeric fixed points), bifurcation curves (closed form checked on the
eigenvalues, else continuation), and the data that the diagrams of :mod:`linstab.plot` draw
(:func:`diagram_data`, :func:`bifurcation_branches`, and :mod:`linstab.analysis.figures` for the
explorer and the phase portrait). No other package combines the two layers (README, "Design: layers").
"""

from linstab.analysis._branches import BranchData, SpecialPoint, bifurcation_branches, branch_samples, segments
from linstab.analysis._curves import bifurcation_curves, find_curves, sample_curve, window
from linstab.analysis._delay import (DelayDiagramData, DelayReport, crossing_values, delay_diagram_data, delay_hopf_curves,
                                    delay_report)
from linstab.analysis._delay_explorer import DelayExplorerData, delay_explorer_data
from linstab.analysis._diagram import DiagramData, default_ranges, diagram_data, unstable_sides
from linstab.analysis._noise import LinearNoise, NoiseScan, linear_noise, noise_scan
from linstab.analysis._report import report
from linstab.analysis._turing import TuringFigureData, turing_curves, turing_figure_data

__all__ = ["BranchData", "DiagramData", "SpecialPoint", "bifurcation_branches", "bifurcation_curves", "branch_samples",
           "default_ranges", "diagram_data", "find_curves", "report", "sample_curve", "segments", "unstable_sides", "window",
           "LinearNoise", "NoiseScan", "linear_noise", "noise_scan",
           "DelayDiagramData", "DelayExplorerData", "delay_explorer_data", "DelayReport", "crossing_values", "delay_diagram_data", "delay_hopf_curves", "delay_report",
           "TuringFigureData", "turing_curves", "turing_figure_data"]
