"""Hook implementations of the irisplug-iuvs plugin: the ``iuvs-l1b`` and ``iuvs-l1a`` readers, the ``iuvs-dark`` step.

Callables are ``"module:function"`` references, imported on first use.
"""

from __future__ import annotations

import irisplug
from irisplug.descriptors import CalibratorDescriptor, ReaderDescriptor
from irisplug_iuvs._version import VERSION

__all__: list[str] = []


@irisplug.hookimpl
def irisplug_readers() -> list[ReaderDescriptor]:
    return [
        ReaderDescriptor(
            name="iuvs-l1b",
            read="irisplug_iuvs.readers:read_l1b_files",
            patterns=("mvn_iuv_l1b_*.fits", "mvn_iuv_l1b_*.fits.gz"),
            identify="irisplug_iuvs.identify:identify_l1b",
            priority=10,
            extensions=(".fits.gz", ".fits"),
            description="MAVEN IUVS L1B (radiance, uncertainties, raw, darks, 9 tables) -> IUVSProduct",
        ),
        ReaderDescriptor(
            name="iuvs-l1a",
            read="irisplug_iuvs.readers:read_l1a_files",
            patterns=("mvn_iuv_l1a_*.fits", "mvn_iuv_l1a_*.fits.gz"),
            identify="irisplug_iuvs.identify:identify_l1a",
            priority=10,
            extensions=(".fits.gz", ".fits"),
            description="MAVEN IUVS L1A (raw DN + tables) -> IUVSProduct",
        ),
    ]


@irisplug.hookimpl
def irisplug_calibrators() -> list[CalibratorDescriptor]:
    return [
        CalibratorDescriptor(
            name="iuvs-dark",
            apply="irisplug_iuvs.dark_subtraction:subtract_iuvs_dark",
            accepts="irisplug_iuvs.dark_subtraction:accepts_dark_subtraction",
            # raw DN: before the generic steps that assume dark-subtracted data (irisplug-calib's)
            before=("bad-pixel", "flat", "exposure-norm"),
            version=VERSION,
            description="MAVEN IUVS L1B time-interpolated dark subtraction (L1B product or raw-DN cube)",
        ),
    ]
