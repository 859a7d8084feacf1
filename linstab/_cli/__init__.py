"""Subcommands of the ``linstab`` command line (one module each, see :mod:`linstab.cli`)."""
