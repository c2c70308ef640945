"""Mutations of seed files: FITS cards, truncation, byte flips, JSON/YAML text, ASDF blocks, HDF5 damage.

Every mutation is ``fn(data, rng, ctx) -> bytes`` on the file's bytes (``ctx``
holds the case directory for side files); :func:`mutate` picks one to three
that fit the seed's container and applies them in turn. Deterministic for a
given ``random.Random``.
"""

from __future__ import annotations

import gzip
import random
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

CARD = 80
BLOCK = 2880
#: the most HDUs :func:`fits_hdus` walks
MAX_HDUS = 1000
#: a mutation may add at most this many bytes to a file (no mutation builds large data)
MAX_GROWTH = 1 << 16

#: keywords a reader trusts; edited more often than others
INTERESTING = (
    "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "NAXIS3", "PCOUNT", "GCOUNT", "BSCALE", "BZERO", "BLANK",
    "NWIN", "TDESC1", "TDESC2", "TWAVE1", "TWAVE2", "TWMIN1", "TWMAX1", "TWMAX2", "TDET1", "STARTOBS",
    "DATE_OBS", "NRASTERP", "TFIELDS", "TFORM1", "TFORM2", "TFORM3", "TTYPE1", "TTYPE2", "TDIM1", "EXTNAME",
    "IRPDTYPE", "IRPKIND", "IRPNREC", "TIME", "XCENIX", "YCENIX", "EXPTIMEF", "EXPTIMEN", "EXPTIMES",
    "PC1_1IX", "PC1_2IX", "PC2_1IX", "PC3_1IX", "CDELT1", "CDELT2", "CDELT3", "CRPIX1", "CRPIX2", "CRVAL1",
    "CRVAL3", "PC1_2", "PC2_1", "CTYPE1", "CTYPE2", "CUNIT1", "SLTPX1IX", "TELESCOP", "INSTRUME", "DATA_LEV",
    "THEAP", "TSCAL1", "TZERO1", "XTENSION",
)

BAD_NUMBERS = ("-1", "0", "1", "-16", "24", "3", "4", "5", "-2147483648", "2147483648", "9223372036854775807",
               "-9223372036854775808", "100000000000000000000", "1E308", "-1E308", "1.5", "NaN", "INF", "'x'", "''",
               "T", "F", "-0.0", "1E-300")
BAD_STRINGS = ("''", "'x'", "'       '", "'1E308'", "'-1'", "'2014-13-45T99:99:99'", "'garbage'", "'NaN'",
               "'int9'", "'<f3'", "'2J'", "'1PJ(-5)'", "'0A'", "'999999999999999999X'", "'(3,-4)'", "12",
               "'\u00e9'".encode("latin-1").decode("latin-1"))


class Ctx:
    """What a mutation may need beyond the bytes."""

    def __init__(self, case_dir: Path, seed: Any) -> None:
        self.case_dir = case_dir
        self.seed = seed
        self.notes: list[str] = []


# --------------------------------------------------------------------- FITS structure
def fits_hdus(data: bytes) -> list[tuple[int, int, int, int]]:
    """``(header_start, header_end, data_start, data_end)`` of every HDU of a FITS file (best effort, bounded).

    Walks at most :data:`MAX_HDUS` headers and stops at the first header whose
    sizes are not non-negative integers or whose data would not fit the file:
    a mutated NAXISn, GCOUNT or PCOUNT below zero once made this walker step
    backwards and list the same header forever (the runner grew to 10 GB).
    """
    out: list[tuple[int, int, int, int]] = []
    pos = 0
    while pos + BLOCK <= len(data) and len(out) < MAX_HDUS:
        cards = {}
        p = pos
        end = None
        while p + CARD <= len(data):
            card = data[p : p + CARD].decode("ascii", "replace")
            key = card[:8].strip()
            if key == "END":
                end = p + CARD
                break
            if card[8:10] == "= ":
                cards[key] = card[10:].split("/")[0].strip()
            p += CARD
        if end is None:
            break
        hend = -(-end // BLOCK) * BLOCK
        try:
            naxis = int(cards.get("NAXIS", "0"))
            sizes = [int(cards.get(f"NAXIS{i}", "0")) for i in range(1, naxis + 1)] if 0 <= naxis <= 999 else [-1]
            bitpix, gcount, pcount = (int(cards.get(k, d)) for k, d in (("BITPIX", "8"), ("GCOUNT", "1"), ("PCOUNT", "0")))
        except ValueError:
            break
        if min([naxis, gcount, pcount, *sizes]) < 0:
            break
        n = 0
        if naxis:
            n = 1
            for size in sizes:
                n *= size
            n = abs(bitpix) // 8 * gcount * (n + pcount)
        nxt = hend + -(-n // BLOCK) * BLOCK
        if nxt <= pos or hend + n > len(data):
            out.append((pos, end, hend, min(hend + n, len(data))))
            break
        out.append((pos, end, hend, hend + n))
        pos = nxt
    return out


def _cards(data: bytes, hdu: tuple[int, int, int, int]) -> list[int]:
    return list(range(hdu[0], hdu[1] - CARD, CARD))


def _card_key(data: bytes, at: int) -> str:
    return data[at : at + 8].decode("ascii", "replace").strip()


def _set_card(data: bytes, at: int, key: str, value: str) -> bytes:
    card = f"{key:<8}= {value:>20}".encode("latin-1", "replace")[:CARD].ljust(CARD)
    return data[:at] + card + data[at + CARD :]


def _pick_card(data: bytes, rng: random.Random) -> tuple[int, str] | None:
    hdus = fits_hdus(data)
    if not hdus:
        return None
    hdu = rng.choice(hdus)
    cards = [(a, _card_key(data, a)) for a in _cards(data, hdu)]
    cards = [c for c in cards if c[1] and c[1] not in ("COMMENT", "HISTORY", "SIMPLE")]
    if not cards:
        return None
    hot = [c for c in cards if c[1] in INTERESTING or re.match(r"^(T[A-Z]+\d+|NAXIS\d|PC\d_\d\w*|TDESC\d)$", c[1])]
    return rng.choice(hot if hot and rng.random() < 0.8 else cards)


def card_value(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Set a (mostly trusted) keyword to a bad number or string."""
    picked = _pick_card(data, rng)
    if picked is None:
        return byte_flip(data, rng, ctx)
    at, key = picked
    old = data[at + 10 : at + CARD].decode("ascii", "replace").split("/")[0].strip()
    value = rng.choice(BAD_STRINGS if old.startswith("'") and rng.random() < 0.7 else BAD_NUMBERS)
    ctx.notes.append(f"{key}={value}")
    return _set_card(data, at, key, value)


def card_delete(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Delete a card (the rest of the header moves up; a blank card pads the end)."""
    picked = _pick_card(data, rng)
    if picked is None:
        return truncate(data, rng, ctx)
    at, key = picked
    hdu = next(h for h in fits_hdus(data) if h[0] <= at < h[1])
    ctx.notes.append(f"del {key}")
    return data[:at] + data[at + CARD : hdu[1]] + b" " * CARD + data[hdu[1] :]


def card_special(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Edits the issue names: BITPIX variants, NAXIS changes, BSCALE 0/NaN, duplicate TDESC, NWIN, PC1_2=1e308."""
    hdus = fits_hdus(data)
    cards = [(a, _card_key(data, a)) for h in hdus for a in _cards(data, h)]
    edits = {
        "BITPIX": ("-16", "0", "24", "12", "-32", "64", "8"),
        "NAXIS": ("0", "1", "4", "-1", "999"),
        "BSCALE": ("0", "NaN", "0.0", "1E308"),
        "BZERO": ("1E308", "NaN", "-32768"),
        "NWIN": ("'x'", "0", "-1", "99"),
        "PC1_2": ("1E308",),
        "STARTOBS": ("'bad'", "''", "3"),
        "TFIELDS": ("0", "-1", "999", "'x'"),
        "IRPDTYPE": ("'<f3'", "'object'", "'int9'", "'U4'"),
        "EXTNAME": ("'RENAMED'", "''"),
        "GCOUNT": ("0", "-1", "2"),
        "PCOUNT": ("-2880", "100000000000"),
    }
    options = [(a, k) for a, k in cards if k in edits or re.match(r"^(TDESC|TWMAX|TWAVE|TFORM)\d+$", k)]
    if not options:
        return card_value(data, rng, ctx)
    at, key = rng.choice(options)
    if key.startswith("TDESC"):
        others = [data[a + 10 : a + CARD].decode("ascii").split("/")[0].strip() for a, k in cards if k.startswith("TDESC") and a != at]
        value = rng.choice(others) if others else "''"
    elif key.startswith(("TWMAX", "TWAVE")):
        value = rng.choice(("'x'", "NaN", "-1", "1E308"))
    elif key.startswith("TFORM"):
        value = rng.choice(("'2J'", "'1PJ(-5)'", "'0A'", "'Q'", "'999999999D'", "'x'"))
    else:
        value = rng.choice(edits[key])
    ctx.notes.append(f"{key}={value}")
    return _set_card(data, at, key, value)


def truncate(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Cut the file at a random byte (sometimes at a block boundary)."""
    n = rng.randrange(0, max(1, len(data)))
    if rng.random() < 0.3:
        n = n // BLOCK * BLOCK
    ctx.notes.append(f"truncate {n}/{len(data)}")
    return data[:n]


def byte_flip(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Replace 1-16 random bytes (half the time inside the first 16 KiB: headers, metadata)."""
    if not data:
        return data
    buf = bytearray(data)
    k = rng.randint(1, 16)
    region = min(len(buf), 16384) if rng.random() < 0.5 else len(buf)
    for _ in range(k):
        buf[rng.randrange(region)] = rng.randrange(256)
    ctx.notes.append(f"flip {k} in {region}")
    return bytes(buf)


def data_flip(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Overwrite samples of a FITS data section with extreme values (NaN, Inf, int extremes)."""
    hdus = [h for h in fits_hdus(data) if min(h[3], len(data)) > h[2]]
    if not hdus:
        return byte_flip(data, rng, ctx)
    h = rng.choice(hdus)
    buf = bytearray(data)
    for _ in range(rng.randint(1, 32)):
        at = rng.randrange(h[2], min(h[3], len(buf)))
        pat = rng.choice((b"\x7f\xf8\x00\x00", b"\x7f\x80\x00\x00", b"\x80\x00", b"\x7f\xff", b"\xff\xff\xff\xff"))
        buf[at : at + len(pat)] = pat
    ctx.notes.append("data values")
    return bytes(buf[: len(data)])


def json_edit(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Edit JSON text stored in a FITS data section (our record HDUs) without changing its length."""
    # JSON data sections only (our record HDUs): a regex over a whole raster file would take minutes
    spans = [(h[2], h[2] + len(data[h[2] : h[3]].rstrip(b"\x00 "))) for h in fits_hdus(data) if data[h[2] : h[2] + 2] == b'{"']
    if not spans:
        return card_value(data, rng, ctx)
    a, b = rng.choice(spans)
    buf = bytearray(data)
    text = buf[a:b]
    op = rng.choice(("char", "key", "value", "quote", "brace"))
    if op == "char":
        i = rng.randrange(len(text))
        text[i] = ord(rng.choice('x0-:",{}[]'))
    elif op == "key":
        keys = [m.span(1) for m in re.finditer(rb'"([A-Za-z_]+)"\s*:', text)]
        if keys:
            s, e = rng.choice(keys)
            text[s:e] = b"z" * (e - s)
    elif op == "value":
        vals = [m.span(1) for m in re.finditer(rb":\s*(-?[0-9.eE+]+|\"[^\"]*\"|true|false|null)", text)]
        if vals:
            s, e = rng.choice(vals)
            repl = rng.choice((b"null", b"-1", b"1e999", b'"x"', b"[]", b"{}", b"0", b"true"))
            text[s:e] = (repl + b" " * (e - s))[: max(e - s, 1)] if len(repl) <= e - s else repl[: e - s]
    elif op == "quote":
        idx = [i for i, c in enumerate(text) if c == ord('"')]
        if idx:
            text[rng.choice(idx)] = ord("'")
    else:
        text[-1] = ord(" ")
    buf[a:b] = text[: b - a].ljust(b - a, b" ")
    ctx.notes.append(f"json {op}")
    return bytes(buf)


# --------------------------------------------------------------------- ASDF
def _asdf_split(data: bytes) -> int:
    i = data.find(b"\xd3BLK")
    return len(data) if i < 0 else i


def yaml_edit(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Edit the YAML tree: delete a line, change a scalar, break indentation, point ``source`` elsewhere."""
    cut = _asdf_split(data)
    lines = data[:cut].split(b"\n")
    body = [i for i, ln in enumerate(lines) if ln.strip() and not ln.startswith((b"#", b"%"))]
    if not body:
        return byte_flip(data, rng, ctx)
    op = rng.choice(("delete", "scalar", "indent", "source", "junk", "datatype", "shape"))
    if op == "source" or op in ("datatype", "shape"):
        key = {"source": b"source:", "datatype": b"datatype:", "shape": b"shape:"}[op]
        hits = [i for i in body if key in lines[i]]
        if hits:
            i = rng.choice(hits)
            pre = lines[i].split(key)[0]
            if op == "source":
                other = ctx.case_dir / "other.asdf"
                if ctx.seed.path.exists():
                    other.write_bytes(ctx.seed.path.read_bytes())
                lines[i] = pre + key + b" " + rng.choice((b"other.asdf", b"/etc/hostname", b"99", b"-1", b"file:///etc/passwd"))
            elif op == "datatype":
                lines[i] = pre + key + b" " + rng.choice((b"int9", b"object", b"[ucs4, 99999999999]", b"float128"))
            else:
                lines[i] = pre + key + b" " + rng.choice((b"[-1]", b"[99999999, 99999999]", b"[]", b"x"))
        else:
            op = "delete"
    if op == "delete":
        del lines[rng.choice(body)]
    elif op == "scalar":
        i = rng.choice(body)
        if b":" in lines[i]:
            k = lines[i].split(b":", 1)[0]
            lines[i] = k + b": " + rng.choice((b"-1", b"null", b"x", b"1e999", b"[", b"{}", b"!!python/object:os.system 1", b"*undefined"))
    elif op == "indent":
        i = rng.choice(body)
        lines[i] = b"   " + lines[i]
    elif op == "junk":
        lines.insert(rng.choice(body), b"\t: : ]")
    ctx.notes.append(f"yaml {op}")
    return b"\n".join(lines) + data[cut:]


def asdf_block(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Damage a binary block header: used/allocated/data size to 2**63-1, 0 or garbage; flags; checksum."""
    starts = [m.start() for m in re.finditer(b"\xd3BLK", data)]
    if not starts:
        return yaml_edit(data, rng, ctx)
    s = rng.choice(starts)
    # magic(4) header_size(2) flags(4) compression(4) allocated(8) used(8) data_size(8) checksum(16)
    field = rng.choice(((6, 4), (10, 4), (14, 8), (22, 8), (30, 8), (38, 16), (4, 2)))
    value = rng.choice((b"\x7f" + b"\xff" * 7, b"\x00" * 8, b"\xff" * 8, b"zlib\x00\x00\x00\x00", b"\x00\x00\x00\x01" * 2))
    buf = bytearray(data)
    off, n = field
    buf[s + off : s + off + n] = value[:n].ljust(n, b"\x00")
    ctx.notes.append(f"block @{off}")
    return bytes(buf)


# --------------------------------------------------------------------- HDF5
def hdf5_semantic(path: Path, rng: random.Random, ctx: Ctx) -> None:
    """Edit the SHOW layout with h5py: time as a plain dataset, string high_gain, bad units, deleted variables."""
    import h5py
    import numpy as np

    with h5py.File(path, "r+") as f:
        groups = [g for g in f if isinstance(f[g], h5py.Group) and "image" in f[g]]
        g = f[rng.choice(groups)]
        op = rng.choice(("plain_time", "string_gain", "time_units", "exp_units", "delete", "temps_shape", "image_dims", "string_time"))
        if op == "plain_time" and "time" in g:
            n = g["time"].shape[0]
            for v in list(g):
                if "DIMENSION_LIST" in g[v].attrs:
                    del g[v].attrs["DIMENSION_LIST"]
            del g["time"]
            g.create_dataset("time", data=np.arange(n, dtype="f8"))
        elif op == "string_gain" and "high_gain" in g:
            n = g["high_gain"].shape[0]
            attrs = dict(g["high_gain"].attrs)
            del g["high_gain"]
            ds = g.create_dataset("high_gain", data=np.array([b"yes"] * n))
            for k, v in attrs.items():
                if k not in ("DIMENSION_LIST",):
                    try:
                        ds.attrs[k] = v
                    except (TypeError, ValueError):
                        pass
        elif op == "time_units" and "time" in g:
            g["time"].attrs["units"] = rng.choice(("fortnights since 2023", "seconds since bad", "", "days since 99999-99-99"))
        elif op == "exp_units":
            g["exposure_time"].attrs["units"] = rng.choice(("parsec", "", "ms"))
        elif op == "delete":
            v = rng.choice([k for k in ("exposure_time", "temperatures", "temperature_labels", "high_gain") if k in g] or ["image"])
            del g[v]
        elif op == "temps_shape" and "temperatures" in g:
            g["temperatures"].attrs["units"] = rng.choice(("kelvin", "furlongs", "K"))
        elif op == "image_dims":
            g.attrs["instrument"] = rng.choice((b"\xff\xfe", 3, "SHOW"))
        else:
            if "time" in g:
                g["time"].attrs["calendar"] = "nonsense"
    ctx.notes.append(f"h5 {op}")


# --------------------------------------------------------------------- archives
def archive_member(data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Repack the archive with one member's FITS bytes mutated (or a junk member added, or one dropped)."""
    import io
    import tarfile
    import zipfile

    members: list[tuple[str, bytes]] = []
    is_zip = data[:4] == b"PK\x03\x04"
    try:
        if is_zip:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                members = [(i.filename, zf.read(i)) for i in zf.infolist() if not i.is_dir()]
        else:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tf:
                members = [(m.name, tf.extractfile(m).read()) for m in tf if m.isfile()]  # type: ignore[union-attr]
    except (OSError, EOFError, ValueError, zlib.error, tarfile.TarError, zipfile.BadZipFile):  # already damaged
        return byte_flip(data, rng, ctx)
    if not members:
        return byte_flip(data, rng, ctx)
    op = rng.choice(("member", "member", "member", "junk", "drop"))
    k = rng.randrange(len(members))
    name, body = members[k]
    if op == "member":
        members[k] = (name, _apply(rng.choice(BYTES_MUTATIONS["fits"]), body, rng, ctx))
    elif op == "junk":
        members.append((f"obs/junk_{rng.randrange(100)}.fits", bytes(rng.randrange(256) for _ in range(rng.randrange(4000)))))
    elif len(members) > 1:
        del members[k]
    ctx.notes.append(f"archive {op} {name.rsplit('/', 1)[-1]}")
    out = io.BytesIO()
    if is_zip:
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for n, b in members:
                zf.writestr(n, b)
    else:
        with tarfile.open(fileobj=out, mode="w:gz", compresslevel=1) as tf:
            for n, b in members:
                info = tarfile.TarInfo(n)
                info.size = len(b)
                tf.addfile(info, io.BytesIO(b))
    return out.getvalue()


# --------------------------------------------------------------------- dispatch
BYTES_MUTATIONS: dict[str, tuple[Callable[..., bytes], ...]] = {
    "fits": (card_value, card_value, card_special, card_special, card_delete, truncate, byte_flip, data_flip, json_edit),
    "asdf": (yaml_edit, yaml_edit, asdf_block, truncate, byte_flip),
    "hdf5": (byte_flip, byte_flip, truncate),
    "tar": (archive_member, archive_member, archive_member, byte_flip, truncate),
    "zip": (archive_member, archive_member, archive_member, byte_flip, truncate),
}


def _apply(fn: Callable[..., bytes], data: bytes, rng: random.Random, ctx: Ctx) -> bytes:
    """Apply one mutation and check that it stayed bounded (at most :data:`MAX_GROWTH` bytes added)."""
    out = fn(data, rng, ctx)
    if len(out) > len(data) + MAX_GROWTH:
        raise AssertionError(f"fuzz mutation {fn.__name__} grew {len(data)} bytes to {len(out)}")
    return out


def mutate(seed: Any, rng: random.Random, case_dir: Path) -> tuple[Path, list[str]]:
    """Write a mutated copy of ``seed`` into ``case_dir``; return its path and what was done.

    Only one case's bytes are held at a time; every mutation's output is at
    most :data:`MAX_GROWTH` bytes longer than its input.
    """
    ctx = Ctx(case_dir, seed)
    target = case_dir / seed.path.name
    data = seed.path.read_bytes()
    kind = seed.kind
    n = rng.choice((1, 1, 1, 2, 3))
    if kind == "fits.gz":
        raw_stream = rng.random() < 0.25
        if raw_stream:
            data = _apply(rng.choice((truncate, byte_flip)), data, rng, ctx)
        else:
            plain = gzip.decompress(data)
            for _ in range(n):
                plain = _apply(rng.choice(BYTES_MUTATIONS["fits"]), plain, rng, ctx)
            data = gzip.compress(plain, compresslevel=1)
        target.write_bytes(data)
        return target, ctx.notes
    if kind == "hdf5" and rng.random() < 0.5:
        target.write_bytes(data)
        hdf5_semantic(target, rng, ctx)
        if rng.random() < 0.3:
            target.write_bytes(_apply(byte_flip, target.read_bytes(), rng, ctx))
        return target, ctx.notes
    muts = BYTES_MUTATIONS[kind]
    for _ in range(n):
        data = _apply(rng.choice(muts), data, rng, ctx)
    target.write_bytes(data)
    return target, ctx.notes
