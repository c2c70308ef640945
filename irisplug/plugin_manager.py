"""Discovery, registration and failure isolation of irisplug plugins.

Plugins are found through the entry point group ``irisplug`` on first use,
not on ``import irisplug``. Every stage a plugin goes through (import,
registration, each contribution hook, validation of what it returns, and
later its ``identify`` and event hooks) is isolated: a failure is recorded
on that plugin with its error text and everything else keeps working. In
strict mode the failure is raised instead, for plugin authors.

Environment knobs (read when a manager is created):

``IRISPLUG_DISABLE``
    Comma-separated plugin (entry point) names not to load.
``IRISPLUG_ALLOW``
    Comma-separated allow-list; when set, only these plugins load.
``IRISPLUG_STRICT``
    ``1``/``true``: raise plugin failures instead of recording them.
``IRISPLUG_ALLOW_SHADOWING``
    ``1``/``true``: let a third-party plugin take the name of a built-in
    plugin, or of a built-in plugin's contribution (refused by default).
``IRISPLUG_IDENTIFY_TIMEOUT``
    Seconds one ``identify`` call may take (default 10; see :mod:`irisplug.limits`); the built-in
    plugins' ``identify`` runs in the calling thread, unbounded (see :meth:`PluginManager.call_safely`).

Trust rules (docs/plugin-authors.md, "Plugin trust rules"): built-in plugins
(:data:`BUILTIN_DISTRIBUTIONS`) keep their plugin and contribution names
unless the user opts in to shadowing; every clash is recorded and reported
when the clashing contribution is used; any ``BaseException`` a plugin raises
except ``KeyboardInterrupt`` is contained.
"""

from __future__ import annotations

import collections
import os
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from importlib import metadata
from typing import Any, TypeVar

from irisplug import hookspecs
from irisplug.descriptors import DESCRIPTOR_KINDS, Descriptor
from irisplug.errors import (
    PluginError,
    PluginLoadError,
    PluginNameClashError,
    PluginTimeoutError,
    PluginValidationError,
    UnknownContributionError,
)

__all__ = [
    "PluginManager",
    "PluginRecord",
    "PluginFailure",
    "NameClash",
    "get_plugin_manager",
    "set_plugin_manager",
    "ENTRY_POINT_GROUP",
    "BUILTIN_DISTRIBUTIONS",
]

ENTRY_POINT_GROUP = "irisplug"
D = TypeVar("D", bound=Descriptor)

#: The distributions shipped with irisplug: their plugin and contribution names
#: cannot be taken by another distribution unless IRISPLUG_ALLOW_SHADOWING is set.
BUILTIN_DISTRIBUTIONS = frozenset(
    {
        "irisplug",
        "irisplug-calib",
        "irisplug-coalign",
        "irisplug-datasets",
        "irisplug-fit",
        "irisplug-io",
        "irisplug-iris",
        "irisplug-iuvs",
        "irisplug-show",
        "irisplug-view",
    }
)

#: runtime failures kept per plugin (the oldest are dropped beyond this)
_MAX_RUNTIME_FAILURES = 50

#: descriptor kind ("reader") -> contribution hook name ("irisplug_readers")
_HOOK_OF_KIND = {cls.kind: hook for hook, cls in DESCRIPTOR_KINDS.items()}


def _env_list(name: str) -> set[str] | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    return {part.strip() for part in raw.split(",") if part.strip()}


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class PluginFailure:
    """One recorded failure of a plugin: the stage and the error text."""

    stage: str
    error: str
    exception_type: str
    traceback: str = field(default="", repr=False)


@dataclass(frozen=True)
class NameClash:
    """Two plugins contributed the same name for the same kind; ``kept`` wins.

    ``kind`` is ``plugin`` for two entry points of the same name.
    """

    kind: str
    name: str
    kept: str
    kept_distribution: str
    dropped: str
    dropped_distribution: str

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.name!r} is contributed by both {self.kept_distribution} "
            f"(plugin {self.kept!r}, kept) and {self.dropped_distribution} (plugin {self.dropped!r}, ignored)"
        )


@dataclass
class PluginRecord:
    """What the manager knows of one plugin.

    ``status`` is ``active``, ``disabled`` (by the user's knobs) or
    ``failed`` (some stage raised; see ``failures``).
    """

    name: str
    distribution: str = "<runtime>"
    version: str = ""
    value: str = ""
    status: str = "active"
    builtin: bool = False
    failures: list[PluginFailure] = field(default_factory=list)
    contributions: dict[str, list[str]] = field(default_factory=dict)
    plugin: Any = field(default=None, repr=False)

    @property
    def error(self) -> str | None:
        """Text of the first failure, if any."""
        return self.failures[0].error if self.failures else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form used by ``irisplug plugins --json``."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "entry_point": self.value,
            "status": self.status,
            "builtin": self.builtin,
            "error": self.error,
            "failures": [{"stage": f.stage, "error": f.error, "type": f.exception_type} for f in self.failures],
            "contributions": {k: list(v) for k, v in self.contributions.items()},
        }


class PluginManager:
    """Loads plugins and indexes their contributions.

    Parameters
    ----------
    entry_points
        Discover installed plugins (entry point group ``irisplug``). Turn off
        for an empty manager to which plugins are added with ``register``.
    disable, allow, strict
        Override the ``IRISPLUG_DISABLE`` / ``IRISPLUG_ALLOW`` /
        ``IRISPLUG_STRICT`` environment knobs.

    Examples
    --------
    >>> pm = PluginManager(entry_points=False)
    >>> from irisplug import hookimpl, ReaderDescriptor
    >>> class MyPlugin:
    ...     @hookimpl
    ...     def irisplug_readers(self):
    ...         return [ReaderDescriptor(name="txt", read=lambda paths: paths, patterns=("*.txt",))]
    >>> pm.register(MyPlugin(), name="mine").status
    'active'
    >>> sorted(pm.contributions("reader"))
    ['txt']
    """

    def __init__(
        self,
        *,
        entry_points: bool = True,
        disable: Iterable[str] | None = None,
        allow: Iterable[str] | None = None,
        strict: bool | None = None,
        group: str = ENTRY_POINT_GROUP,
    ) -> None:
        import pluggy

        self._pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self._pm.add_hookspecs(hookspecs)
        self.group = group
        self.use_entry_points = entry_points
        self.disabled = set(disable) if disable is not None else (_env_list("IRISPLUG_DISABLE") or set())
        allowed = set(allow) if allow is not None else _env_list("IRISPLUG_ALLOW")
        self.allowed = allowed
        self.strict = strict if strict is not None else _env_flag("IRISPLUG_STRICT")
        self.allow_shadowing = _env_flag("IRISPLUG_ALLOW_SHADOWING")
        self._records: dict[str, PluginRecord] = {}
        self._index: dict[str, dict[str, Descriptor]] = {cls.kind: {} for cls in DESCRIPTOR_KINDS.values()}
        self._clashes: list[NameClash] = []
        self._hung: set[tuple[str, str]] = set()
        # plugins of the built-in distributions, loaded from their entry points: their timed calls (identify) run
        # in the calling thread (handing a call to a worker thread cost 0.25 ms of the first irisplug.read in a
        # fresh process, and 1-5 ms of wall time on a loaded machine waiting for the thread to be scheduled)
        self._inline: set[str] = set()
        # _discovered turns True only once every entry point is loaded; other
        # threads wait on the lock meanwhile (a flag set first let them see
        # an empty manager: issue 16). _loading stops re-entry from the
        # loading thread itself (a plugin that queries the manager on import).
        self._discovered = False
        self._loading = False
        self._lock = threading.RLock()

    # -- discovery ---------------------------------------------------------
    def _ensure_loaded(self) -> None:
        if self._discovered:
            return
        with self._lock:
            if self._discovered or self._loading:
                return
            self._loading = True
            try:
                if self.use_entry_points:
                    self._load_entry_points()
            finally:
                self._loading = False
                self._discovered = True

    def _load_entry_points(self) -> None:
        by_name: dict[str, list[Any]] = {}
        for ep in metadata.entry_points(group=self.group):
            same = by_name.setdefault(ep.name, [])
            dist = getattr(ep, "dist", None)
            key = (dist.name if dist is not None else "<unknown>", ep.value)
            if all(
                ((getattr(o, "dist", None).name if getattr(o, "dist", None) is not None else "<unknown>"), o.value) != key
                for o in same
            ):  # the same distribution visible twice on sys.path counts once
                same.append(ep)
        for name in sorted(by_name):
            candidates = [self._record_of(ep) for ep in by_name[name]]
            record = self._pick_entry_point(name, candidates)
            self._records[name] = record
            if not self._is_enabled(name):
                record.status = "disabled"
                continue
            ep = by_name[name][candidates.index(record)]
            try:
                plugin = ep.load()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - isolation is the point (SystemExit included)
                self._fail(record, "import", exc)
                continue
            self._register_loaded(record, plugin)
            if record.builtin and record.status == "active":
                self._inline.add(name)

    @staticmethod
    def _record_of(ep: Any) -> PluginRecord:
        dist = getattr(ep, "dist", None)
        dist_name = dist.name if dist is not None else "<unknown>"
        return PluginRecord(
            name=ep.name,
            distribution=dist_name,
            version=dist.version if dist is not None else "",
            value=ep.value,
            builtin=_normalise(dist_name) in BUILTIN_DISTRIBUTIONS,
        )

    def _pick_entry_point(self, name: str, candidates: list[PluginRecord]) -> PluginRecord:
        """One record among entry points of the same name: a built-in unless shadowing is allowed."""
        if len(candidates) == 1:
            return candidates[0]
        # built-ins first (third parties first when the user allows shadowing), then by distribution
        ordered = sorted(candidates, key=lambda r: (r.builtin == self.allow_shadowing, r.distribution))
        kept = ordered[0]
        for other in ordered[1:]:
            clash = NameClash("plugin", name, name, kept.distribution, name, other.distribution)
            self._clashes.append(clash)
            if self.strict:
                raise PluginNameClashError(str(clash), plugin=name)
        return kept

    def _is_enabled(self, name: str) -> bool:
        if name in self.disabled:
            return False
        return self.allowed is None or name in self.allowed

    def register(
        self, plugin: Any, name: str | None = None, *, distribution: str = "<runtime>", version: str = ""
    ) -> PluginRecord:
        """Register a plugin object (module, class instance) at run time.

        This is how notebooks and tests add a plugin without installing it;
        it goes through the same checks as an entry-point plugin. The
        allow-list governs discovery only; a name on the disable list is
        still refused.
        """
        self._ensure_loaded()
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        with self._lock:
            if name in self._records and self._records[name].status != "disabled":
                raise PluginLoadError(f"a plugin named {name!r} is already registered", plugin=name)
            record = PluginRecord(
                name=name,
                distribution=distribution,
                version=version,
                value=repr(plugin),
                builtin=_normalise(distribution) in BUILTIN_DISTRIBUTIONS,
            )
            self._records[name] = record
            if name in self.disabled:
                record.status = "disabled"
                return record
            self._register_loaded(record, plugin)
            return record

    def _register_loaded(self, record: PluginRecord, plugin: Any) -> None:
        try:
            self._pm.register(plugin, name=record.name)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001
            self._fail(record, "register", exc)
            return
        record.plugin = plugin
        collected: dict[str, list[Descriptor]] = {}
        try:
            for hook_name, cls in DESCRIPTOR_KINDS.items():
                impls = [i for i in getattr(self._pm.hook, hook_name).get_hookimpls() if i.plugin_name == record.name]
                items: list[Descriptor] = []
                for impl in impls:
                    stage = f"contribution {hook_name}"
                    try:
                        result = impl.function()
                    except KeyboardInterrupt:
                        raise
                    except BaseException as exc:
                        raise _StageError(stage, exc) from exc
                    items.extend(self._validate(record, hook_name, cls, result))
                collected[cls.kind] = items
        except _StageError as err:
            self._pm.unregister(name=record.name)
            record.plugin = None
            self._fail(record, err.stage, err.exc)
            return
        for kind, items in collected.items():
            for desc in items:
                self._add(record, kind, desc)

    def _validate(self, record: PluginRecord, hook_name: str, cls: type[Descriptor], result: Any) -> list[Descriptor]:
        stage = f"validation {hook_name}"
        if result is None:
            return []
        if isinstance(result, Descriptor) or not isinstance(result, (list, tuple)):
            exc = PluginValidationError(
                f"{hook_name} must return a list of {cls.__name__}, got {type(result).__name__}",
                plugin=record.name,
            )
            raise _StageError(stage, exc)
        out = []
        names = set()
        for item in result:
            if not isinstance(item, cls):
                exc = PluginValidationError(
                    f"{hook_name} returned {type(item).__name__} ({item!r:.80}), expected {cls.__name__}",
                    plugin=record.name,
                )
                raise _StageError(stage, exc)
            if item.name in names:
                exc = PluginValidationError(f"{hook_name} returned the name {item.name!r} twice", plugin=record.name)
                raise _StageError(stage, exc)
            names.add(item.name)
            out.append(replace(item, plugin=record.name, distribution=record.distribution))
        return out

    def _add(self, record: PluginRecord, kind: str, desc: Descriptor) -> None:
        index = self._index[kind]
        existing = index.get(desc.name)
        if existing is not None:
            old = self._records.get(existing.plugin)
            old_builtin = old is not None and old.builtin
            # a built-in keeps its name unless the user allows shadowing, then the third party takes it
            replace_old = record.builtin != old_builtin and (record.builtin != self.allow_shadowing)
            if replace_old:
                clash = NameClash(kind, desc.name, record.name, record.distribution, existing.plugin, existing.distribution)
                if old is not None and desc.name in old.contributions.get(kind, []):
                    old.contributions[kind].remove(desc.name)
                    if not old.contributions[kind]:
                        del old.contributions[kind]
            else:
                clash = NameClash(kind, desc.name, existing.plugin, existing.distribution, record.name, record.distribution)
            self._clashes.append(clash)
            if self.strict:
                raise PluginNameClashError(str(clash), plugin=record.name)
            if not replace_old:
                return
        index[desc.name] = desc
        record.contributions.setdefault(kind, []).append(desc.name)

    def clashes_for(self, kind: str, name: str) -> list[NameClash]:
        """The recorded clashes over one contribution name (or plugin name, ``kind="plugin"``)."""
        self._ensure_loaded()
        return [c for c in self._clashes if c.kind == kind and c.name == name]

    # -- failures -----------------------------------------------------------
    def _fail(self, record: PluginRecord, stage: str, exc: BaseException) -> None:
        failure = _failure(stage, exc)
        record.failures.append(failure)
        record.status = "failed"
        if self.strict:
            if isinstance(exc, PluginError):
                raise exc
            err_cls = PluginLoadError if stage in {"import", "register"} else PluginError
            raise err_cls(f"plugin failed at {stage}: {failure.error}", plugin=record.name) from exc

    def record_failure(self, plugin: str, stage: str, exc: BaseException) -> None:
        """Record a failure of ``plugin`` at a run-time ``stage`` (e.g. ``identify``) and mark it failed.

        Used by dispatch when a plugin's callable raises where it must not
        (``identify``, event hooks). Raises in strict mode.
        """
        with self._lock:
            record = self._records.get(plugin) or self._records.setdefault(plugin, PluginRecord(name=plugin))
            if len(record.failures) >= _MAX_RUNTIME_FAILURES:
                del record.failures[1]  # keep the first (the status's reason) and the latest
            self._fail(record, stage, exc)

    def record_call_failure(self, plugin: str, stage: str, exc: BaseException) -> None:
        """Record a failure of one call (``accepts``, a reader on one file) without marking the plugin failed.

        It is listed by ``irisplug plugins`` under the plugin; the plugin's
        status stays as it is, since the next call may well succeed.
        """
        with self._lock:
            record = self._records.get(plugin) or self._records.setdefault(plugin, PluginRecord(name=plugin))
            if len(record.failures) >= _MAX_RUNTIME_FAILURES:
                del record.failures[0]
            record.failures.append(_failure(stage, exc))

    # -- queries ------------------------------------------------------------
    @property
    def records(self) -> list[PluginRecord]:
        """Every plugin seen, active, disabled or failed."""
        self._ensure_loaded()
        return list(self._records.values())

    @property
    def clashes(self) -> list[NameClash]:
        """Name clashes found while registering plugins."""
        self._ensure_loaded()
        return list(self._clashes)

    def contributions(self, kind: str) -> dict[str, Descriptor]:
        """All contributions of one kind (``reader``, ``writer``, ...), by name."""
        self._ensure_loaded()
        if kind not in self._index:
            raise ValueError(f"unknown contribution kind {kind!r}; known: {sorted(self._index)}")
        return dict(self._index[kind])

    def get(self, kind: str, name: str) -> Descriptor:
        """One contribution by kind and name.

        Raises
        ------
        UnknownContributionError
            Listing the known names of that kind.
        """
        found = self.contributions(kind).get(name)
        if found is None:
            known = ", ".join(sorted(self.contributions(kind))) or "none installed"
            hint = ""
            failed = [r.name for r in self.records if r.status == "failed"]
            if failed:
                hint = f"; failed plugins: {', '.join(failed)} (see `irisplug plugins`)"
            raise UnknownContributionError(f"no {kind} named {name!r}; known {kind}s: {known}{hint}")
        return found

    def call_event(self, hook_name: str, **kwargs: Any) -> None:
        """Call an event hook on every plugin, isolating each plugin's failure."""
        self._ensure_loaded()
        hook = getattr(self._pm.hook, hook_name)
        for impl in hook.get_hookimpls():
            try:
                impl.function(*[kwargs[a] for a in impl.argnames])
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001
                self.record_failure(impl.plugin_name, f"event {hook_name}", exc)

    def call_safely(
        self,
        plugin: str,
        stage: str,
        func: Callable[..., Any],
        *args: Any,
        default: Any = None,
        mark_failed: bool = True,
        timeout: float | None = None,
    ) -> Any:
        """Call a plugin's callable; on error record it (raise in strict mode) and return ``default``.

        ``mark_failed=False`` records the failure for this call only (the
        plugin stays active). With ``timeout`` (seconds) the callable runs in
        a worker thread; when it does not return in time the call counts as
        failed, this callable is not called again in this process, and
        ``default`` is returned. The plugins of irisplug's own distributions
        (:data:`BUILTIN_DISTRIBUTIONS`, installed through their entry points)
        are called in the calling thread, without the timeout: their
        ``identify`` reads header bytes only. ``KeyboardInterrupt`` is never contained.
        """
        if (plugin, stage) in self._hung:
            return default
        try:
            if timeout and plugin not in self._inline:
                return _call_with_timeout(func, args, timeout)
            return func(*args)
        except KeyboardInterrupt:
            raise
        except _Timeout:
            self._hung.add((plugin, stage))
            exc: BaseException = PluginTimeoutError(
                f"{stage} did not return within {timeout:g} s (IRISPLUG_IDENTIFY_TIMEOUT); "
                "it is skipped for the rest of this process",
                plugin=plugin,
            )
            self.record_failure(plugin, stage, exc)
            return default
        except BaseException as exc:  # noqa: BLE001 - SystemExit from a plugin is contained too
            if mark_failed:
                self.record_failure(plugin, stage, exc)
            else:
                self.record_call_failure(plugin, stage, exc)
            return default

    def call_contribution_safely(
        self,
        desc: Descriptor,
        attr: str,
        *args: Any,
        default: Any = None,
        mark_failed: bool = True,
        timeout: float | None = None,
    ) -> Any:
        """Call ``desc``'s callable ``attr`` (resolving a reference first) as :meth:`call_safely` does.

        A reference that cannot be resolved is recorded on the plugin like
        any other failure of that stage. ``mark_failed`` and ``timeout`` as
        in :meth:`call_safely`.
        """
        stage = f"{attr} ({desc.name})"
        try:
            func = desc.resolve(attr)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - importing a plugin module may raise anything
            if mark_failed:
                self.record_failure(desc.plugin, stage, exc)
            else:
                self.record_call_failure(desc.plugin, stage, exc)
            return default
        if func is None:
            return default
        return self.call_safely(desc.plugin, stage, func, *args, default=default, mark_failed=mark_failed, timeout=timeout)


def _normalise(dist: str) -> str:
    return dist.lower().replace("_", "-").replace(".", "-")


def _failure(stage: str, exc: BaseException) -> PluginFailure:
    return PluginFailure(
        stage=stage,
        error=f"{type(exc).__name__}: {exc}",
        exception_type=type(exc).__name__,
        traceback="".join(traceback.format_exception(exc)),
    )


class _Timeout(Exception):
    pass


class _Worker:
    """A daemon thread that runs calls handed to it; abandoned (left running) when a call hangs."""

    def __init__(self) -> None:
        # a deque and a semaphore rather than queue.SimpleQueue: importing queue (its C extension, heapq) cost
        # ~0.3 ms of the first irisplug.read in a process
        self.jobs: collections.deque = collections.deque()
        self._ready = threading.Semaphore(0)
        self.thread = threading.Thread(target=self._loop, name="irisplug-identify", daemon=True)
        self.thread.start()

    def put(self, job: tuple) -> None:
        """Hand ``(func, args, box, done)`` to the thread."""
        self.jobs.append(job)
        self._ready.release()

    def _loop(self) -> None:
        while True:
            self._ready.acquire()
            func, args, box, done = self.jobs.popleft()
            try:
                box.append((True, func(*args)))
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller
                box.append((False, exc))
            done.set()


_WORKERS = threading.local()


def _call_with_timeout(func: Callable[..., Any], args: tuple, timeout: float) -> Any:
    worker = getattr(_WORKERS, "worker", None)
    if worker is None:
        worker = _WORKERS.worker = _Worker()
    box: list[tuple[bool, Any]] = []
    done = threading.Event()
    worker.put((func, args, box, done))
    if not done.wait(timeout):
        _WORKERS.worker = None  # the hung call keeps that thread; the next call gets a new one
        raise _Timeout
    ok, value = box[0]
    if ok:
        return value
    raise value

class _StageError(Exception):
    def __init__(self, stage: str, exc: BaseException) -> None:
        super().__init__(stage)
        self.stage = stage
        self.exc = exc


_MANAGER: PluginManager | None = None
_MANAGER_LOCK = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager, created (not yet loaded) on first call.

    Examples
    --------
    >>> pm = get_plugin_manager()
    >>> isinstance(pm, PluginManager)
    True
    """
    global _MANAGER
    if _MANAGER is None:
        with _MANAGER_LOCK:
            if _MANAGER is None:
                _MANAGER = PluginManager()
    return _MANAGER


def set_plugin_manager(manager: PluginManager | None) -> PluginManager | None:
    """Replace the process-wide manager (None: make a fresh one on next use); returns the old one."""
    global _MANAGER
    with _MANAGER_LOCK:
        old, _MANAGER = _MANAGER, manager
    return old
