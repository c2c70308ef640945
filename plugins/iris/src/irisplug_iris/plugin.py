"""Hook implementations of the irisplug-iris plugin.

Callables are ``"module:function"`` references, imported on first use, so
loading the plugin (``irisplug plugins``) imports none of its modules.
"""

from __future__ import annotations

import irisplug

__all__: list[str] = []

@irisplug.hookimpl
def irisplug_readers() -> list[irisplug.ReaderDescriptor]:
    return [
        irisplug.ReaderDescriptor(
            name="iris-l2",
            read="irisplug_iris.reader:read_iris_l2",
            patterns=("iris_l2_*raster*.fits", "iris_l2_*SJI*.fits"),
            identify="irisplug_iris.reader:identify_iris_l2",
            priority=10,
            extensions=(".fits",),
            description="IRIS Level 2 raster and slit-jaw files (lazy, scaled, masked, per-exposure WCS)",
        ),
    ]


@irisplug.hookimpl
def irisplug_fetchers() -> list[irisplug.FetcherDescriptor]:
    return [
        irisplug.FetcherDescriptor(
            name="iris-synthetic",
            fetch="irisplug_iris.fetch:fetch_synthetic",
            # fetch_synthetic passes its other keywords to the generator
            options=("irisplug_iris.generator:generate",),
            offline=True,
            description="synthetic IRIS Level 2 raster + SJI files (size='small' default, or 'full')",
        ),
        irisplug.FetcherDescriptor(
            name="iris-archive",
            fetch="irisplug_iris.archive_fetch:fetch_archive",
            # fetch_archive passes its other keywords to the archive getter
            options=("irisplug_iris.net.api:get",),
            description="IRIS Level 2 from the LMSAL archive: obsid=/target=/url=, sji=[1400], raster= (IRISPLUG_IRIS_DATA_URL)",
        ),
    ]


@irisplug.hookimpl
def irisplug_calibrators() -> list[irisplug.CalibratorDescriptor]:
    return [
        irisplug.CalibratorDescriptor(
            name="iris-photon-noise", apply="irisplug_iris.noise:photon_noise",
            accepts="irisplug_iris.noise:is_iris_data", version="1",
            description="IRIS photon + read noise uncertainties (DN or DN/s; before radiometric calibration)",
        ),
        irisplug.CalibratorDescriptor(
            name="iris-radiometric", apply="irisplug_iris.radiometric:radiometric_calibration",
            after=("dark", "flat", "exposure-norm", "iris-photon-noise"),
            accepts="irisplug_iris.radiometric:accepts", version="1",
            description="IRIS spectrograph and slit-jaw DN -> erg s-1 sr-1 cm-2 A-1 (or photons) with time-dependent "
                        "effective areas",
        ),
    ]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    return [
        irisplug.CommandDescriptor(
            name="demo", run="irisplug_iris.demo:run", add_arguments="irisplug_iris.demo:add_arguments",
            description="generate a synthetic IRIS observation and run the whole pipeline on it",
        ),
        irisplug.CommandDescriptor(
            name="search", run="irisplug_iris.archive_cli:run_search",
            add_arguments="irisplug_iris.archive_cli:add_search_arguments",
            description="search IRIS Level 2 observations (time, OBSID, text, pointing)",
        ),
        irisplug.CommandDescriptor(
            name="get", run="irisplug_iris.archive_cli:run_get", add_arguments="irisplug_iris.archive_cli:add_get_arguments",
            description="download an IRIS observation (OBSID, YYYYMMDD_HHMMSS_OBSID or URL)",
        ),
    ]


_SI_IV_1403 = ("Si IV 1403",)
_SI_IV_1394 = ("Si IV 1394", "Si IV 1393")
_MG_II = ("Mg II k 2796", "Mg II h&k 2800")

#: template name -> (IRIS window labels it is made for, description); the first
#: template listing a label is the default for that window. "mg_ii" is mg_ii_7comp.
IRIS_TEMPLATES: dict[str, tuple[tuple[str, ...], str]] = {
    "si_iv_1403": (_SI_IV_1403, "Si IV 1402.77, 1 Gaussian component(s) + constant"),
    "si_iv_1403_2comp": (_SI_IV_1403, "Si IV 1402.77, 2 Gaussian component(s) + constant"),
    "si_iv_1403_3comp": (_SI_IV_1403, "Si IV 1402.77, 3 Gaussian component(s) + constant"),
    "si_iv_1403_lorentzian": (_SI_IV_1403, "Si IV 1402.77, one Lorentzian + constant"),
    "si_iv_1394": (_SI_IV_1394, "Si IV 1393.76, 1 Gaussian component(s) + constant"),
    "si_iv_1394_2comp": (_SI_IV_1394, "Si IV 1393.76, 2 Gaussian component(s) + constant"),
    "si_iv_1394_3comp": (_SI_IV_1394, "Si IV 1393.76, 3 Gaussian component(s) + constant"),
    "si_iv_1394_lorentzian": (_SI_IV_1394, "Si IV 1393.76, one Lorentzian + constant"),
    "c_ii": (("C II 1336", "C II 1335", "C II 1334"), "C II 1334.53 and 1335.71, two Gaussians + constant"),
    "c_ii_1334": (("C II 1334",), "C II 1334.53, one Gaussian + constant"),
    "c_ii_1336": (("C II 1335", "C II 1336"), "C II 1335.71, one Gaussian + constant"),
    "o_i_1356": (("O I 1356",), "O I 1355.60, one Gaussian + constant"),
    "fe_xii_1349": (("Fe XII 1349",), "Fe XII 1349.40, one Gaussian + constant"),
    "mg_ii_4comp": (_MG_II, "Mg II k and h, 4 Gaussian components + constant"),
    "mg_ii_5comp": (_MG_II, "Mg II k and h, 5 Gaussian components + constant"),
    "mg_ii_7comp": (_MG_II, "Mg II k and h, 7 Gaussian components + constant"),
    "mg_ii": (_MG_II, "Mg II k and h, 7 Gaussian components + constant (mg_ii_7comp)"),
}


@irisplug.hookimpl
def irisplug_line_templates() -> list[irisplug.LineTemplateDescriptor]:
    """The IRIS line templates (Si IV, C II, O I, Fe XII, Mg II h&k) with their IRIS window labels."""
    return [
        irisplug.LineTemplateDescriptor(name=name, build="irisplug_iris.line_templates:build", windows=windows,
                                        instrument="IRIS", description=description)
        for name, (windows, description) in IRIS_TEMPLATES.items()
    ]
