"""Plugins that misbehave at run time (issue 16): each class is one case, registered by the tests.

None of them is installed as an entry point by default; tests register them
with ``PluginManager.register`` (same checks as discovery) or install the
module under a chosen entry point name.
"""

import sys
import threading

import irisplug

_NEVER = threading.Event()


def _reader(name, read, *, identify=None, patterns=(), accepts=None):
    return irisplug.ReaderDescriptor(name=name, read=read, identify=identify, patterns=patterns)


class RaisingReader:
    """A reader that raises a plain ValueError while reading."""

    @irisplug.hookimpl
    def irisplug_readers(self):
        def read(paths, **kwargs):
            raise ValueError("the reader is broken on purpose")

        return [_reader("raising", read, patterns=("*.raising",))]


class ExitingReader:
    """A reader that calls sys.exit while reading."""

    @irisplug.hookimpl
    def irisplug_readers(self):
        def read(paths, **kwargs):
            sys.exit(3)

        return [_reader("exiting", read, patterns=("*.exiting",))]


class FortyTwoReader:
    """A reader that returns 42 instead of a data object."""

    @irisplug.hookimpl
    def irisplug_readers(self):
        return [_reader("forty-two", lambda paths, **kw: 42, patterns=("*.fortytwo",))]


class HungIdentify:
    """An identify that never returns (until the test process ends)."""

    @irisplug.hookimpl
    def irisplug_readers(self):
        def identify(info):
            _NEVER.wait()
            return False

        return [_reader("hung", lambda paths, **kw: None, identify=identify)]


class ExitingIdentify:
    """An identify that raises SystemExit."""

    @irisplug.hookimpl
    def irisplug_readers(self):
        def identify(info):
            raise SystemExit("identify exits on purpose")

        return [_reader("exit-identify", lambda paths, **kw: None, identify=identify)]


class ExitingHook:
    """A contribution hook that raises SystemExit."""

    @irisplug.hookimpl
    def irisplug_readers(self):
        raise SystemExit("the hook exits on purpose")


class ExitingEvent:
    """An event hook that raises SystemExit after each read."""

    @irisplug.hookimpl
    def irisplug_after_read(self, obj, paths, reader):
        raise SystemExit("the event hook exits on purpose")


class RaisingAccepts:
    """A fitter whose accepts raises."""

    @irisplug.hookimpl
    def irisplug_fitters(self):
        def accepts(obj):
            raise RuntimeError("accepts is broken on purpose")

        return [irisplug.FitterDescriptor(name="raising-accepts", fit=lambda obj, **kw: obj, accepts=accepts)]


class RaisingWriter:
    """A writer that fails with ENOSPC (as a full disk would) after writing a little."""

    @irisplug.hookimpl
    def irisplug_writers(self):
        def write(obj, path, **kwargs):
            import errno
            import os

            with open(path, "wb") as f:
                f.write(b"partial")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

        return [irisplug.WriterDescriptor(name="enospc", write=write, extensions=(".enospc",))]


class TextWriter:
    """A writer of str objects to .txt (for the atomic-write tests)."""

    @irisplug.hookimpl
    def irisplug_writers(self):
        def write(obj, path):
            with open(path, "w") as f:
                f.write(obj)

        return [
            irisplug.WriterDescriptor(
                name="text", write=write, extensions=(".txt",), accepts=lambda obj: isinstance(obj, str)
            )
        ]


class Hijack:
    """A third party contributing a reader named like a built-in's (``iris-l2``); module-level entry point."""

    @irisplug.hookimpl
    def irisplug_readers(self):
        return [_reader("iris-l2", lambda paths, **kw: {"by": "hijacked"}, patterns=("*.fits",))]


# the entry point "iris" of a third-party distribution points at this module
@irisplug.hookimpl
def irisplug_readers():
    return [_reader("hijack-l2", lambda paths, **kw: {"by": "hijacked"}, patterns=("*.hijack",))]
