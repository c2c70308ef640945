"""A plugin that contributes a reader under a name another plugin already uses."""

import irisplug


@irisplug.hookimpl
def irisplug_readers():
    return [irisplug.ReaderDescriptor(name="spectext", read=lambda paths, **kw: None, patterns=("*.clone",))]
