"""Small drawing helpers shared by the viewers (figure creation, key-handler takeover, help box, keys)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["request_draw", "new_figure", "take_over_keys", "help_box", "send_key", "extent_of", "nearest",
           "save_figure"]


def save_figure(fig: Any, out: Any, **kw: Any) -> None:
    """``fig.savefig(out, **kw)``, all or nothing when ``out`` is a path.

    A path is written through ``irisplug.atomic_path`` (a temporary file
    beside it, renamed on success; an existing file is replaced): a drawing
    that fails half-way (a bad label, a full disk, an interrupt) leaves no
    truncated PNG or PDF under the name asked for, and an earlier file of
    that name untouched. The format comes from the path's suffix unless
    ``format=`` is given. A file-like ``out`` is written directly.
    """
    import os

    if not isinstance(out, (str, os.PathLike)):
        fig.savefig(out, **kw)
        return
    from pathlib import Path

    from irisplug import atomic_path

    path = Path(out)
    if "format" not in kw and path.suffix:
        kw["format"] = path.suffix.lstrip(".").lower()
    with atomic_path(path, overwrite=True) as tmp:
        fig.savefig(tmp, **kw)


def request_draw(fig: Any) -> None:
    """Ask an interactive canvas to redraw when idle; a plain (headless) Agg canvas draws on save instead.

    ``FigureCanvasAgg.draw_idle`` renders synchronously, which would make every
    key press cost a full render off-screen for nothing.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if type(fig.canvas) is FigureCanvasAgg:
        return
    fig.canvas.draw_idle()


def sync_timer(fig: Any, timer: Any, playing: bool, interval_ms: int, callback: Any) -> Any:
    """Start or stop an animation timer so it matches ``playing``; returns the timer (None when stopped)."""
    if playing and timer is None:
        timer = fig.canvas.new_timer(interval=interval_ms)
        timer.add_callback(callback)
        timer.start()
    elif not playing and timer is not None:
        timer.stop()
        timer = None
    return timer


def new_figure(figsize: tuple[float, float], dpi: float = 100) -> Any:
    """A pyplot figure (so interactive backends show it; Agg works headless)."""
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, dpi=dpi)


def take_over_keys(fig: Any, handler: Any) -> int:
    """Route key presses to ``handler`` first; keys it does not use go to matplotlib's defaults.

    The default handler binds keys users expect here (``h``, ``q``, ``o``,
    ``p``, arrows) to toolbar actions, so it is disconnected and called only for
    keys the viewer leaves alone (``s`` save, ``f`` full screen, ...).
    """
    from matplotlib.backend_bases import key_press_handler

    manager = getattr(fig.canvas, "manager", None)
    hid = getattr(manager, "key_press_handler_id", None)
    if hid is not None:
        fig.canvas.mpl_disconnect(hid)

    def on_key(event: Any) -> None:
        if not handler(event):
            key_press_handler(event, fig.canvas, getattr(manager, "toolbar", None))

    return fig.canvas.mpl_connect("key_press_event", on_key)


def help_box(fig: Any, text: str) -> Any:
    """A hidden help text box over the figure (shown by ``?`` or ``/``)."""
    return fig.text(
        0.5, 0.5, text, ha="center", va="center", family="monospace", fontsize=8, visible=False, zorder=100,
        bbox={"boxstyle": "round", "facecolor": "lightyellow", "alpha": 0.95},
    )


def send_key(fig: Any, key: str, x: float | None = None, y: float | None = None) -> None:
    """Deliver a real ``key_press_event`` to the figure's canvas (what a key press does).

    Examples
    --------
    >>> send_key(fig, "right")  # doctest: +SKIP
    """
    from matplotlib.backend_bases import KeyEvent

    event = KeyEvent("key_press_event", fig.canvas, key, x=x, y=y)
    fig.canvas.callbacks.process("key_press_event", event)


def extent_of(values: np.ndarray) -> tuple[float, float]:
    """Image extent edges (half a pixel beyond the first and last centres) of regularly spaced centres."""
    v = np.asarray(values, dtype=float)
    if v.size < 2:
        c = float(v[0]) if v.size else 0.0
        return c - 0.5, c + 0.5
    d = (v[-1] - v[0]) / (v.size - 1)
    return float(v[0] - d / 2), float(v[-1] + d / 2)


def nearest(values: np.ndarray, value: float) -> int:
    """Index of the element of ``values`` closest to ``value``."""
    return int(np.nanargmin(np.abs(np.asarray(values, dtype=float) - value)))
