"""A plugin whose hook implementation takes an argument the spec does not have."""

import irisplug


@irisplug.hookimpl
def irisplug_readers(something_unknown):
    return []
