"""The quick-look state: where the point is, which window, contrast, animation, points of interest.

Pure Python, no drawing: the figure reads it and redraws, key events change
it through :meth:`QuickLookState.handle_key`, so every key is testable
without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from irisplug_view.scaling import ContrastLimits

__all__ = ["QuickLookState", "HELP_TEXT", "PANELS"]

PANELS = ("map", "slit", "spectrum")

HELP_TEXT = """\
space      start/stop animation (map: across steps/time; slit spectra: along the slit; spectrum: in wavelength)
-/+        slower/faster animation
arrows     move the point (alt+arrow: 5 pixels)
z/x        step back/forward in wavelength (Z/X: 5 pixels)
n/m        previous/next spectral window (N/M: keep the zoomed field of the map)
u/i        lower/raise the lower intensity limit      o/p  lower/raise the upper limit
a / A      add a point of interest (this window / all windows)
e/r/t      erase the current point / return to the previous point / go to the next point
h / H      reset the zoom of the panel under the mouse / all panels and contrast of this window
click      freeze/unfreeze following the mouse
? or /     show/hide this help          q  quit"""


@dataclass
class QuickLookState:
    """State of the raster quick-look.

    Parameters
    ----------
    shapes
        ``{label: (n_step, n_y, n_wavelength)}`` in window order.
    wavelength_index
        Initial wavelength index per window.
    limits
        Initial display limits per window (e.g. from ``histo_opt``).

    Examples
    --------
    >>> s = QuickLookState({"Si IV 1403": (8, 100, 50)}, {"Si IV 1403": 25}, {"Si IV 1403": (0, 100)})
    >>> s.handle_key("right"), s.x
    ('move', 5)
    """

    shapes: dict[str, tuple[int, int, int]]
    wavelength_index: dict[str, int]
    limits: dict[str, tuple[float, float]]
    window: int = 0
    x: int = -1
    y: int = -1
    playing: bool = False
    interval_ms: int = 200
    focus: str = "map"
    follow_mouse: bool = True
    help_visible: bool = False
    closed: bool = False
    zoom: dict[str, dict[str, Any]] = field(default_factory=dict)
    keep_zoom: Any = None
    pois: list = field(default_factory=list)
    poi_index: int | None = None
    contrast: dict[str, ContrastLimits] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.labels = list(self.shapes)
        if not self.labels:
            raise ValueError("QuickLookState needs at least one window")
        self.initial_wavelength_index = dict(self.wavelength_index)
        n_step, n_y, _ = self.shapes[self.labels[0]]
        if self.x < 0:
            self.x = n_step // 2
        if self.y < 0:
            self.y = n_y // 2
        for label in self.labels:
            self.contrast.setdefault(label, ContrastLimits(*self.limits[label]))
            self.zoom.setdefault(label, {})

    # -- read-only helpers -------------------------------------------------
    @property
    def label(self) -> str:
        """The label of the window shown."""
        return self.labels[self.window]

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.shapes[self.label]

    @property
    def w(self) -> int:
        """Wavelength index in the window shown."""
        return self.wavelength_index[self.label]

    def clamp(self) -> None:
        """Keep the point and wavelength inside the current window."""
        n_step, n_y, n_wl = self.shape
        self.x = min(max(self.x, 0), n_step - 1)
        self.y = min(max(self.y, 0), n_y - 1)
        self.wavelength_index[self.label] = min(max(self.w, 0), n_wl - 1)

    # -- changes -------------------------------------------------------------
    def move(self, dx: int = 0, dy: int = 0) -> None:
        self.x += dx
        self.y += dy
        self.clamp()

    def step_wavelength(self, dw: int) -> None:
        self.wavelength_index[self.label] = self.w + dw
        self.clamp()

    def set_window(self, index: int, keep_zoom: bool = False) -> None:
        """Show window ``index`` (wrapping); ``keep_zoom`` copies the map zoom into the new window."""
        zoom = self.zoom[self.label].get("map")
        self.window = index % len(self.labels)
        if keep_zoom and zoom is not None:
            self.zoom[self.label]["map"] = zoom
        self.clamp()

    def tick(self) -> None:
        """One animation step in the focused panel, wrapping around."""
        n_step, n_y, n_wl = self.shape
        if self.focus == "slit":
            self.y = (self.y + 1) % n_y
        elif self.focus == "spectrum":
            self.wavelength_index[self.label] = (self.w + 1) % n_wl
        else:
            self.x = (self.x + 1) % n_step

    def reset(self, everything: bool) -> None:
        """``h``: forget the zoom of the focused panel; ``H``: all zooms and the contrast of this window."""
        if everything:
            self.zoom[self.label] = {}
            self.contrast[self.label].reset()
        else:
            self.zoom[self.label].pop(self.focus, None)

    def goto_poi(self, index: int) -> None:
        """Move to saved point ``index`` (wrapping): its window, position and wavelength."""
        if not self.pois:
            return
        self.poi_index = index % len(self.pois)
        p = self.pois[self.poi_index]
        if p.window in self.labels:
            self.window = self.labels.index(p.window)
        self.x, self.y = int(p.step), int(p.y)
        if p.wavelength_index is not None:
            self.wavelength_index[self.label] = int(p.wavelength_index)
        self.clamp()

    def erase_poi(self) -> None:
        """Remove the current point of interest (the last added if none is selected)."""
        if not self.pois:
            return
        i = len(self.pois) - 1 if self.poi_index is None else self.poi_index
        del self.pois[i]
        self.poi_index = None if not self.pois else min(i, len(self.pois) - 1)

    def handle_key(self, key: str | None) -> str | None:
        """Apply a key; returns the name of the action or None for keys that are not ours.

        Actions ``"poi_add"`` and ``"poi_add_all"`` need the data: the viewer
        builds the points and calls ``pois.append``.
        """
        if key is None:
            return None
        arrows = {"left": (-1, 0), "right": (1, 0), "down": (0, -1), "up": (0, 1)}
        base = key.replace("alt+", "")
        if base in arrows:
            dx, dy = arrows[base]
            n = 5 if key.startswith("alt+") else 1
            self.move(dx * n, dy * n)
            return "move"
        if key in ("z", "x", "Z", "X"):
            n = 5 if key.isupper() else 1
            self.step_wavelength(-n if key.lower() == "z" else n)
            return "wavelength"
        if key in ("n", "m", "N", "M"):
            self.set_window(self.window + (-1 if key.lower() == "n" else 1), keep_zoom=key.isupper())
            return "window"
        if key in ContrastLimits.KEYS:
            self.contrast[self.label].apply(key)
            return "contrast"
        if key == " ":
            self.playing = not self.playing
            return "animate"
        if key in ("-", "+"):
            self.interval_ms = int(min(max(self.interval_ms * (1.5 if key == "-" else 1 / 1.5), 20), 5000))
            return "speed"
        if key == "a":
            return "poi_add"
        if key == "A":
            return "poi_add_all"
        if key == "e":
            self.erase_poi()
            return "poi_erase"
        if key == "r":
            self.goto_poi((self.poi_index if self.poi_index is not None else 0) - 1)
            return "poi_goto"
        if key == "t":
            self.goto_poi((self.poi_index + 1) if self.poi_index is not None else 0)
            return "poi_goto"
        if key in ("h", "H"):
            self.reset(everything=key == "H")
            return "reset"
        if key in ("?", "/"):
            self.help_visible = not self.help_visible
            return "help"
        if key == "q":
            self.closed = True
            self.playing = False
            return "quit"
        return None
