"""A plugin whose reader's identify raises."""

import irisplug


def _identify(info):
    raise ValueError("identify is broken on purpose")


def _read(paths, **kwargs):
    raise AssertionError("never chosen")


@irisplug.hookimpl
def irisplug_readers():
    return [irisplug.ReaderDescriptor(name="bad-identify", read=_read, identify=_identify)]
