"""Hook implementations of the irisplug-iris plugin."""

from __future__ import annotations

import irisplug

__all__: list[str] = []


@irisplug.hookimpl
def irisplug_readers() -> list[irisplug.ReaderDescriptor]:
    from irisplug_iris.reader import identify_iris_l2, read_iris_l2

    return [
        irisplug.ReaderDescriptor(
            name="iris-l2",
            read=read_iris_l2,
            patterns=("iris_l2_*raster*.fits", "iris_l2_*SJI*.fits"),
            identify=identify_iris_l2,
            priority=10,
            extensions=(".fits",),
            description="IRIS Level 2 raster and slit-jaw files (lazy, scaled, masked, per-exposure WCS)",
        ),
        irisplug.ReaderDescriptor(
            name="irisplug-fits",
            read=_lazy("read_irisplug_fits"),
            identify=_lazy("identify_irisplug_fits"),
            priority=20,
            extensions=(".fits",),
            description="FITS files written by irisplug's 'fits' writer (IRISPLUG keyword)",
        ),
        irisplug.ReaderDescriptor(
            name="irisplug-asdf",
            read=_lazy("read_irisplug_asdf"),
            identify=_lazy("identify_irisplug_asdf"),
            patterns=("*.asdf",),
            priority=20,
            extensions=(".asdf",),
            description="ASDF files written by irisplug's 'asdf' writer",
        ),
    ]


def _lazy(name: str):
    def call(*args, **kwargs):
        from irisplug_iris import writers

        return getattr(writers, name)(*args, **kwargs)

    call.__qualname__ = f"irisplug_iris.writers.{name}"
    return call


@irisplug.hookimpl
def irisplug_fetchers() -> list[irisplug.FetcherDescriptor]:
    from irisplug_iris.archive_fetch import fetch_archive
    from irisplug_iris.fetch import fetch_synthetic

    return [
        irisplug.FetcherDescriptor(
            name="iris-synthetic",
            fetch=fetch_synthetic,
            offline=True,
            description="synthetic IRIS Level 2 raster + SJI files (size='small' default, or 'full')",
        ),
        irisplug.FetcherDescriptor(
            name="iris-archive",
            fetch=fetch_archive,
            description="IRIS Level 2 from the LMSAL archive: obsid=/target=/url=, sji=[1400], raster= (IRISPLUG_IRIS_DATA_URL)",
        ),
    ]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    from irisplug_iris.archive_cli import add_get_arguments, add_search_arguments, run_get, run_search

    return [
        irisplug.CommandDescriptor(name="search", run=run_search, add_arguments=add_search_arguments,
                                   description="search IRIS Level 2 observations (time, OBSID, text, pointing)"),
        irisplug.CommandDescriptor(name="get", run=run_get, add_arguments=add_get_arguments,
                                   description="download an IRIS observation (OBSID, YYYYMMDD_HHMMSS_OBSID or URL)"),
    ]


@irisplug.hookimpl
def irisplug_writers() -> list[irisplug.WriterDescriptor]:
    from irisplug_iris.writers import accepts, accepts_fits, write_asdf, write_fits

    return [
        irisplug.WriterDescriptor(name="fits", write=write_fits, extensions=(".fits",), accepts=accepts_fits,
                                  description="any cube, sequence or Observation to FITS (data, mask, unit, per-exposure WCS, provenance)"),
        irisplug.WriterDescriptor(name="asdf", write=write_asdf, extensions=(".asdf",), accepts=accepts,
                                  description="any cube, sequence or Observation to ASDF (also cubes with a gwcs, e.g. IUVS)"),
    ]


def _is_iris_data(obj) -> bool:
    """An IRIS cube, sequence or Observation (what the photon-noise step accepts)."""
    meta = getattr(obj, "meta", None) or {}
    return "IRIS" in (str(meta.get("TELESCOP", "")).strip().upper(), str(meta.get("INSTRUME", "")).strip().upper())


@irisplug.hookimpl
def irisplug_calibrators() -> list[irisplug.CalibratorDescriptor]:
    from irisplug_iris.noise import photon_noise

    return [
        irisplug.CalibratorDescriptor(
            name="iris-photon-noise", apply=photon_noise, accepts=_is_iris_data, version="1",
            description="IRIS photon + read noise uncertainties (DN or DN/s; before radiometric calibration)",
        )
    ]
