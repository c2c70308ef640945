"""`IUVSProduct`: the cubes and tables of one IUVS L1A/L1B file."""

from __future__ import annotations

from typing import Any

from ndcube import NDCollection

__all__ = ["IUVSProduct"]


class IUVSProduct(NDCollection):
    """An ndcube `~ndcube.NDCollection` of one IUVS file's cubes, keyed by HDU role, plus its tables.

    L1B keys: ``"radiance"`` (primary, kR/nm, uncertainty from ``Random_phy_unc``),
    ``"systematic_uncertainty"`` (kR/nm), ``"dark_subtracted"`` (DN, uncertainty
    from ``Random_dn_unc``), ``"raw"`` (DN), ``"quality"``, ``"background_dark"``
    (DN) and ``"dark_frames"`` (DN, its own integration axis). L1A: ``"raw"``.

    Attributes
    ----------
    tables : dict of str to astropy.table.Table
        ``Integration``, ``Engineering``, ``Binning``, ``SpacecraftGeometry``,
        ``PixelGeometry``, ``Observation`` (+ ``Dark_Integration``,
        ``Dark_Engineering``, ``Dark_Observation`` for L1B), keyed by their
        v13 EXTNAME whatever name the file used.
    meta : dict
        ``level``, ``channel``, ``path``, the primary ``header`` and the facts of the file name.

    Examples
    --------
    >>> import irisplug
    >>> prod = irisplug.read("mvn_iuv_l1b_apoapse-orbit18001-muv_20230114T071804_v13_r01.fits.gz")  # doctest: +SKIP
    >>> prod["radiance"].unit, prod.tables["Binning"]["SPABINWIDTH"].shape  # doctest: +SKIP
    (Unit("kR / nm"), (1, 135))
    """

    def __init__(self, key_data_pairs: Any, aligned_axes: Any = None, meta: dict | None = None,
                 tables: dict | None = None, **kwargs: Any) -> None:
        super().__init__(key_data_pairs, aligned_axes=aligned_axes, meta=meta, **kwargs)
        self.tables: dict[str, Any] = dict(tables or {})

    @property
    def main(self) -> Any:
        """The main cube: radiance for L1B, raw DN for L1A."""
        return self["radiance"] if "radiance" in self else self["raw"]

    def __str__(self) -> str:
        m = self.meta or {}
        head = (f"IUVSProduct {m.get('level', '?')} {m.get('xuv', m.get('channel', '?'))}"
                f" {m.get('segment', '')} orbit {m.get('orbit')} ({m.get('timestamp', '')})")
        lines = [head, "cubes:"]
        for key, cube in self.items():
            lines.append(f"  {key:24s} {tuple(cube.data.shape)!s:16s} {cube.unit}")
        lines.append("tables:")
        for name, table in self.tables.items():
            lines.append(f"  {name:24s} {len(table)} rows x {len(table.colnames)} columns")
        return "\n".join(lines)

    def __repr__(self) -> str:
        keys = ", ".join(f"{k}{tuple(v.data.shape)}" for k, v in self.items())
        return f"<IUVSProduct {self.meta.get('level', '?')} {self.meta.get('channel', '?')}: {keys}; tables: {', '.join(self.tables)}>"
