"""Fuzz suite: damaged copies of real and generated files of every format irisplug reads and writes.

Every case is one seed file (a real IRIS L2 file from the irispy-lmsal wheel, a
generated IRIS file, a real IUVS file, a generated SHOW netCDF file, a file
written by our own FITS and ASDF writers) with one to three mutations applied
(:mod:`tests.fuzz.mutations`). A fork-server worker (:mod:`tests.fuzz.worker`)
runs each case in its own child process, which reads it with ``irisplug.read``
and touches the data (``np.asarray`` of every cube's data, the world
coordinates of pixel 0); the server enforces a CPU/wall time limit and an RSS
limit per case and measures the child's peak RSS with ``wait4``
(:mod:`tests.fuzz.runner` drives it; see README.md).

Outcomes: ``ok`` (read), ``error`` (an ``IrisplugError``), and the failures
``raw`` (any other exception, or a built-in reader's exception wrapped only in
``PluginCallError``), ``hang`` (time limit), ``memory`` (RSS limit), ``crash``
(the case's process died).

Run long locally::

    nice -n 10 python -m tests.fuzz --cases 5000 --seed 1 --jobs 2 --log fuzz.jsonl
"""
