"""Mg II h & k features: known positions on generated profiles, real IRIS Mg II windows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from irisplug_fit.mgii import C_KMS, FLAG_BLUE, FLAG_CORE, FLAG_RED, FLAG_UNUSABLE, MG_II_H, MG_II_K, mgii_features


def _profile(v: np.ndarray, vb: float, vr: float, vc: float, ab: float, ar: float) -> np.ndarray:
    """Absorption wing + two emission peaks + central reversal, on a velocity axis (km/s)."""
    wing = 80.0 * (1 - 0.8 * np.exp(-(v / 150.0) ** 2))
    return (wing + ab * np.exp(-((v - vb) / 9.0) ** 2) + ar * np.exp(-((v - vr) / 9.0) ** 2)
            - 0.45 * min(ab, ar) * np.exp(-((v - vc) / 5.0) ** 2))


def _composite(vk: np.ndarray, vh: np.ndarray, p: tuple[float, ...]) -> np.ndarray:
    """k profile plus a 0.8x h profile (the h wing replaced, not added)."""
    return _profile(vk, *p) + 0.8 * _profile(vh, *p) - 80.0 * (1 - 0.8 * np.exp(-(vh / 150.0) ** 2))


def _truth(f, lo, hi, kind):
    """Extremum of the noise-free profile on a 0.0005 km/s grid (independent of the method's sampling)."""
    x = np.arange(lo, hi, 0.0005)
    y = f(x)
    i = np.argmax(y) if kind == "max" else np.argmin(y)
    return x[i]


@pytest.mark.parametrize("summing", [1, 2])
def test_known_positions_recovered_within_1_kms(summing):
    rng = np.random.default_rng(143)
    wl = 2790.49 + 0.02546 * summing * np.arange(int(640 / summing))  # the IRIS NUV window sampling
    n = 200
    params = []
    spectra = np.empty((n, wl.size))
    for s in range(n):
        shift = rng.uniform(-8, 8)
        vb, vr = shift - rng.uniform(13, 20), shift + rng.uniform(13, 20)
        vc = 0.5 * (vb + vr) + rng.uniform(-1.5, 1.5)
        ab, ar = rng.uniform(200, 600, 2)
        p = (vb, vr, vc, ab, ar)
        params.append(p)
        vk = C_KMS * (wl - MG_II_K) / MG_II_K
        vh = C_KMS * (wl - MG_II_H) / MG_II_H
        spectra[s] = _composite(vk, vh, p)
    f = mgii_features(spectra, wl)
    for s, (vb, vr, vc, ab, ar) in enumerate(params):
        def prof(x, p=(vb, vr, vc, ab, ar)):
            return _profile(x, *p)
        t_b = _truth(prof, vb - 6, 0.5 * (vb + vr), "max")
        t_r = _truth(prof, 0.5 * (vb + vr), vr + 6, "max")
        t_c = _truth(prof, t_b, t_r, "min")
        for line in ("k", "h"):
            assert f[f"{line}_flag"][s] == 0
            assert abs(f[f"{line}2v_velocity"][s] - t_b) < 1.0, (line, s)
            assert abs(f[f"{line}2r_velocity"][s] - t_r) < 1.0, (line, s)
            assert abs(f[f"{line}3_velocity"][s] - t_c) < 1.0, (line, s)
        assert abs(f["k_separation"][s] - (t_r - t_b)) < 1.5

        def at(v_line, rest, other, p=(vb, vr, vc, ab, ar)):  # the composite spectrum at a velocity of one line
            lam = rest * (1 + v_line / C_KMS)
            return _composite(C_KMS * (lam - MG_II_K) / MG_II_K, C_KMS * (lam - MG_II_H) / MG_II_H, p)

        expected = (at(t_b, MG_II_K, MG_II_H) + at(t_r, MG_II_K, MG_II_H)) / (at(t_b, MG_II_H, MG_II_K) + at(t_r, MG_II_H, MG_II_K))
        assert abs(f["kh_ratio"][s] - expected) < 0.01 * expected


def test_absent_features_are_flagged():
    wl = 2790.49 + 0.02546 * np.arange(640)
    v = C_KMS * (wl - MG_II_K) / MG_II_K
    single = 50 + 400 * np.exp(-((v - 3) / 10) ** 2)  # single-peaked: no reversal
    absorption = 100 - 60 * np.exp(-(v / 20) ** 2)  # no emission
    broken = single.copy()
    broken[np.argmin(np.abs(v))] = np.nan  # a missing pixel in the line
    f = mgii_features(np.stack([single, absorption, broken]), wl, lines=("k",))
    assert f["k_flag"][0] & FLAG_CORE and np.isnan(f["k3_velocity"][0])
    assert (f["k_flag"][0] & (FLAG_BLUE | FLAG_RED)) in (FLAG_BLUE, FLAG_RED)  # the one peak is one of the two
    assert f["k_flag"][1] & FLAG_BLUE and f["k_flag"][1] & FLAG_RED
    assert f["k_flag"][2] & FLAG_UNUSABLE and np.isnan(f["k2v_velocity"][2])
    assert (f["h_flag"] & FLAG_UNUSABLE).all()  # h not asked for


def _mg_windows():
    """Raster directories / files of the irispy-lmsal test data with a Mg II k window, found by header content."""
    irispy = pytest.importorskip("irispy", reason="irispy-lmsal provides the real IRIS L2 test files")
    from astropy.io import fits

    root = Path(irispy.__file__).parent / "data" / "test"
    found = {}
    for f in sorted(root.rglob("*raster*.fits")):
        try:
            h = fits.getheader(f)
        except OSError:
            continue
        labels = [h.get(f"TDESC{i}", "") for i in range(1, int(h.get("NWIN", 0)) + 1)]
        mg = [lab for lab in labels if lab.startswith("Mg II k")]
        if mg:
            found.setdefault((f.parent, mg[0]), []).append(f)
    if not found:
        pytest.skip(f"no raster with a Mg II k window under {root}")
    return found


def test_real_mg_windows_run_and_flag():
    import irisplug

    for (_, label), files in _mg_windows().items():
        obs = irisplug.read(files)
        seq = obs[label]
        cube = seq.data[0] if isinstance(getattr(seq, "data", None), list) else seq
        maps = irisplug.fit(cube, method="mgii")
        k3 = maps["k3_velocity"].data
        flag = maps["k_flag"].data
        assert k3.shape == cube.data.shape[:2]
        # every spectrum either has a k3 or is flagged as lacking it
        assert np.all(np.isfinite(k3) | (flag & FLAG_CORE).astype(bool))
        assert np.all(np.isnan(k3) | ((k3 > -60) & (k3 < 60)))
        ok = np.isfinite(maps["k2v_velocity"].data) & np.isfinite(maps["k2r_velocity"].data)
        assert np.all(maps["k_separation"].data[ok] > 0)
        # the window's wavelength range from the file header (astropy): when it does not hold k +- 60 km/s
        # (the down-sampled irispy-lmsal 0.5 files keep CDELT1 of the full window), every spectrum is unusable
        from astropy.io import fits

        with fits.open(files[0]) as h:
            k = next(i for i in range(1, h[0].header["NWIN"] + 1) if h[0].header[f"TDESC{i}"] == label)
            hd = h[k].header
            wl = hd["CRVAL1"] + hd["CDELT1"] * (np.arange(hd["NAXIS1"]) + 1 - hd["CRPIX1"])
        covers = wl[0] <= MG_II_K * (1 - 60 / C_KMS) and wl[-1] >= MG_II_K * (1 + 60 / C_KMS)
        if not covers:
            assert np.all(flag & FLAG_UNUSABLE) and np.isnan(maps["k2v_velocity"].data).all()
        elif abs(hd["CDELT1"]) < 0.05:  # sampled finely enough to resolve k2v/k3/k2r (irispy-lmsal 0.9 is 10x coarser)
            assert np.any(flag == 0)
