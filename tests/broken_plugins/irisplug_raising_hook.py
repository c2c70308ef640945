"""A plugin whose contribution hook raises."""

import irisplug


@irisplug.hookimpl
def irisplug_fitters():
    raise KeyError("the fitter table is broken on purpose")
