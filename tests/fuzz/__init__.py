"""Fuzz suite: damaged copies of real and generated files of every format irisplug reads and writes.

Every case is one seed file (a real IRIS L2 file from the irispy-lmsal wheel, a
generated IRIS file, a real IUVS file, a generated SHOW netCDF file, a file
written by our own FITS and ASDF writers) with one to three mutations applied
(:mod:`tests.fuzz.mutations`). A persistent worker process reads it with
``irisplug.read`` and touches the data (``np.asarray`` of every cube's data,
the world coordinates of pixel 0); the parent enforces a time limit and a
peak-RSS limit per case (:mod:`tests.fuzz.runner`).

Outcomes: ``ok`` (read), ``error`` (an ``IrisplugError``), and the failures
``raw`` (any other exception), ``hang`` (time limit), ``memory`` (RSS limit),
``crash`` (the worker died).

Run long locally::

    python -m tests.fuzz --cases 5000 --seed 1
"""
