"""
Declarative references and the keyword rule
===========================================

A descriptor may name its callable as ``"package.module:attribute"``: the
plugin module then imports nothing, ``irisplug plugins`` lists the
contribution for free, and the callable is imported the first time it is
used. Keywords reach it only if it takes them: a misspelled keyword is
refused with the valid ones, before anything runs. A reference that cannot
be imported is reported at use, naming the plugin and the reference.
"""

import tempfile
from pathlib import Path

import irisplug
from irisplug.plugin_manager import PluginManager


def write_samples(dest, *, count=2, stem="sample"):
    """The fetcher's callable: writes ``count`` small text files into ``dest``."""
    files = []
    for i in range(count):
        path = Path(dest) / f"{stem}{i}.txt"
        path.write_text(f"{i}\n")
        files.append(path)
    return files


class SamplesPlugin:
    @irisplug.hookimpl
    def irisplug_fetchers(self):
        return [
            # this script runs as __main__, so its functions are "__main__:..."; a package names its module
            irisplug.FetcherDescriptor(name="samples", fetch="__main__:write_samples", offline=True),
            irisplug.FetcherDescriptor(name="broken", fetch="no_such_package.samples:write"),
        ]


pm = PluginManager(entry_points=False)
pm.register(SamplesPlugin(), name="samples")  # only the syntax of the references is checked here
print("declared as:", pm.get("fetcher", "samples").fetch)

dest = tempfile.mkdtemp()
files = irisplug.fetch("samples", dest, count=3, manager=pm)
print("wrote:", [p.name for p in files])

try:
    irisplug.fetch("samples", dest, cuont=3, manager=pm)
except irisplug.UnknownKeywordError as err:
    print("refused:", err)

try:
    irisplug.fetch("broken", dest, manager=pm)
except irisplug.UnresolvedReferenceError as err:
    print("unresolved:", err)
