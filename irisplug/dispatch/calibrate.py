"""``irisplug.calibrate``: order calibration steps and apply them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from irisplug.descriptors import CalibratorDescriptor
from irisplug.dispatch._guard import check_arguments, guarded_call
from irisplug.dispatch._select import refusal_reason
from irisplug.dispatch.keywords import unknown_keyword_error, valid_keywords
from irisplug.errors import CalibrationError, InvalidArgumentError, UnsupportedObjectError
from irisplug.plugin_manager import PluginManager, get_plugin_manager
from irisplug.provenance import history, record_step

__all__ = ["calibrate", "plan_calibration"]


def plan_calibration(steps: Sequence[str], *, manager: PluginManager | None = None) -> list[CalibratorDescriptor]:
    """Order the requested steps so each runs after the steps it declares in ``after`` (and before those in ``before``).

    The user's order is kept wherever the declarations allow; when a
    declaration moves a step, an :class:`~irisplug.errors.IrisplugWarning`
    names the requested and the applied order and the declaration that moved it.

    Raises
    ------
    UnknownContributionError
        A step name is unknown (the message lists the known steps).
    CalibrationError
        The declarations form a cycle.

    Examples
    --------
    >>> [d.name for d in plan_calibration(["flat", "dark"])]  # doctest: +SKIP
    ['dark', 'flat']
    """
    pm = manager or get_plugin_manager()
    if isinstance(steps, str):
        steps = [steps]
    if not isinstance(steps, Sequence) or not all(isinstance(s, str) for s in steps):
        raise InvalidArgumentError(f"steps must be a step name or a list of step names, got {steps!r:.80}")
    if not steps:
        raise InvalidArgumentError("steps is empty: name at least one calibration step (see `irisplug plugins`)")
    descs: list[CalibratorDescriptor] = [pm.get("calibrator", s) for s in steps]  # type: ignore[misc]
    names = [d.name for d in descs]
    if len(set(names)) != len(names):
        raise CalibrationError(f"a step is requested twice: {names}")
    must_follow = _must_follow(descs)
    remaining = list(descs)
    ordered: list[CalibratorDescriptor] = []
    while remaining:
        for d in remaining:
            blockers = [a for a, _ in must_follow[d.name] if a not in {o.name for o in ordered}]
            if not blockers:
                ordered.append(d)
                remaining.remove(d)
                break
        else:
            raise CalibrationError(f"calibration steps order each other in a cycle: {[d.name for d in remaining]}")
    _warn_if_reordered(descs, ordered, must_follow)
    return ordered


def _must_follow(descs: list[CalibratorDescriptor]) -> dict[str, list[tuple[str, str]]]:
    """For each requested step, the requested steps it must follow, each with the declaration that says so."""
    names = {d.name for d in descs}
    out: dict[str, list[tuple[str, str]]] = {d.name: [] for d in descs}
    for d in descs:
        out[d.name] += [(a, f"{d.name}.after") for a in d.after if a in names]
        for b in d.before:
            if b in names:
                out[b].append((d.name, f"{d.name}.before"))
    return {name: [(a, why) for i, (a, why) in enumerate(pairs) if a not in [p[0] for p in pairs[:i]]]
            for name, pairs in out.items()}


def _warn_if_reordered(requested: list[CalibratorDescriptor], ordered: list[CalibratorDescriptor],
                       must_follow: dict[str, list[tuple[str, str]]]) -> None:
    """Tell the user when the declared ``after``/``before`` orders changed the order they gave, and why."""
    if [d.name for d in requested] == [d.name for d in ordered]:
        return
    import warnings

    from irisplug.errors import IrisplugWarning

    position = {d.name: i for i, d in enumerate(requested)}
    reasons = [
        f"{a!r} before {d.name!r} ({declaration})"
        for d in ordered
        for a, declaration in must_follow[d.name]
        if position[a] > position[d.name]
    ]
    warnings.warn(
        f"calibration steps reordered: requested {[d.name for d in requested]}, run as {[d.name for d in ordered]}: "
        + "; ".join(reasons),
        IrisplugWarning,
        stacklevel=3,
    )


def _detach_meta(old: Any, new: Any) -> None:
    """Give ``new`` its own meta mapping if a step shared the input's, so recording never touches the input."""
    meta = getattr(new, "meta", None)
    if meta is not None and meta is getattr(old, "meta", None):
        import copy

        try:
            new.meta = copy.copy(meta)
        except AttributeError as exc:
            raise CalibrationError(
                f"the calibrated {type(new).__name__} shares its metadata with the input and it cannot be replaced"
            ) from exc


def calibrate(obj: Any, steps: Sequence[str] | str, *, manager: PluginManager | None = None, **params: Any) -> Any:
    """Apply calibration steps in a valid order; each records itself in the history.

    Parameters
    ----------
    obj
        The data (an NDCube, a sequence, a sunpy Map, ...). It is not modified.
    steps
        Step names (see ``irisplug plugins``), e.g. ``["dark", "flat"]``.
    **params
        A keyword named like a step with a dict value goes to that step only
        (``dark={"darks": stack}``); any other keyword goes to every step
        whose ``apply`` takes it. A keyword no step takes, or a per-step
        keyword its step does not take, raises
        :class:`~irisplug.errors.UnknownKeywordError` (the rule of
        :mod:`irisplug.dispatch.keywords`).

    Returns
    -------
    object
        The calibrated copy.

    Examples
    --------
    >>> out = irisplug.calibrate(cube, ["dark", "flat"], dark={"darks": darks}, flat={"flat": flat})  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    plan = plan_calibration(steps, manager=pm)
    step_names = {d.name for d in plan}
    per_step: dict[str, dict[str, Any]] = {d.name: {} for d in plan}
    general: dict[str, Any] = {}
    for key, value in params.items():
        if key in step_names and isinstance(value, Mapping):
            per_step[key].update(value)
        else:
            general[key] = value
    used: set[str] = set()
    every_valid: set[str] = set()
    for d in plan:
        valid = valid_keywords(d, "apply", inputs=1)  # None: takes **kwargs, declares no options
        unknown = [k for k in per_step[d.name] if valid is not None and k not in valid]
        if unknown:
            raise unknown_keyword_error(unknown, valid or (), f"calibration step {d.name!r}", plugin=d.plugin)
        every_valid |= valid or set()
        for key, value in general.items():
            if valid is None or key in valid:
                per_step[d.name].setdefault(key, value)
                used.add(key)
    unused = [k for k in general if k not in used]
    if unused:
        raise unknown_keyword_error(
            unused, every_valid, "calibrate", lead=f"no requested step ({', '.join(sorted(step_names))}) takes the parameter(s)"
        )
    for d in plan:  # every step's arguments checked before the first one computes
        check_arguments(d, f"applying step {d.name!r}", d.resolve("apply"), obj, **per_step[d.name])
    done = {r.get("step") for r in history(obj)}
    for d in plan:
        missing = [r for r in d.requires if r not in done]
        if missing:
            raise CalibrationError(
                f"step {d.name!r} requires {missing} to be applied first; add them to steps=[...]",
                plugin=d.plugin,
            )
        verdict = d.accepts is None or pm.call_contribution_safely(d, "accepts", obj, default=False, mark_failed=False)
        if not verdict:
            raise UnsupportedObjectError(
                f"step {d.name!r} cannot calibrate a {type(obj).__name__}: {refusal_reason(verdict)}", plugin=d.plugin
            )
        before = len(history(obj))
        new = guarded_call(pm, d, f"applying step {d.name!r}", d.resolve("apply"), obj, **per_step[d.name])
        if new is obj:
            raise CalibrationError(
                f"step {d.name!r} returned its input; calibrators must return a new object", plugin=d.plugin
            )
        _detach_meta(obj, new)
        if len(history(new)) <= before:
            record_step(new, d.name, plugin=d.plugin, version=d.version, params=per_step[d.name])
        pm.call_event("irisplug_after_calibrate", obj=new, step=d.name, params=per_step[d.name])
        done.add(d.name)
        obj = new
    return obj
