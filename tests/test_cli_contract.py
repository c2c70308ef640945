"""The contract of every ``irisplug`` command, with hostile arguments, run as a user runs it (a subprocess).

Every registered command (the core's and those plugins contribute, as
``irisplug --help`` lists them) is run with arguments a user gets wrong:
outputs that cannot be written (missing or root-level directories, a
directory, a FIFO, an unknown file type), inputs that are missing, FIFOs,
junk, or a directory holding a junk archive, numbers that are words, NaN or
out of range, and a closed standard output. Each run must end with a
non-zero exit status (closed stdout: any status), no traceback, no
"internal error" (the CLI's last-resort handler for bugs), no Python
keyword advice where the command has a flag (``overwrite=True`` instead of
``--overwrite``), and a message naming the option or file at fault. Nothing
may be created where the output was refused, and nothing may hang.

A valid invocation of each built-in command (``BASELINES``) is what the
hostile value is put into, so a check that happens only after the work (or
never) is caught: the run then fails for another reason, or not at all.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TIMEOUT = 180  # seconds; a FIFO that is opened blocks forever, a refused one returns at once

#: A valid invocation of each built-in command: {data} is a generated IRIS observation, {tmp} a fresh folder.
BASELINES: dict[str, list[str]] = {
    "plugins": [],
    "formats": [],
    "info": ["{data}"],
    "clean": ["{tmp}"],
    "cache": [],
    "demo": ["--out", "{tmp}/demo", "--quiet"],
    "extract": ["{data}", "--out", "{tmp}/spectra.zarr", "--line", "Si IV", "--grid", "1400:1405:50", "--quiet"],
    "fit": ["{data}", "--window", "Si IV 1403", "--out", "{tmp}/fit.fits", "--quiet"],
    "get": ["20140329_140938_3860258481", "--out", "{tmp}/download", "--quiet"],
    "movie": ["{data}", "--out", "{tmp}/movie.gif"],
    "quicklook": ["{data}", "--out", "{tmp}/quicklook.png"],
    "search": ["--obsid", "3860258481"],
}

#: Options whose value must be > 0 and options that are indices (>= 0).
POSITIVE = {"--fps", "--dpi", "--chunk-rows", "--workers"}
INDEX = {"--raster", "--scan", "--y", "--position", "--raster-positions", "--older-than"}  # and other values >= 0
#: Options that name an output; the commands whose output is a directory (the others write files).
OUTPUT_OPTIONS = {"--out", "--output"}
DIRECTORY_OUTPUTS = {"demo", "extract", "get"}


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """Every command's parser, with the options its plugin declares (argparse's own structures)."""
    from irisplug.cli.main import build_parser

    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


PARSERS = _parsers()
COMMANDS = sorted(PARSERS)


def _options(command: str) -> dict[str, argparse.Action]:
    return {max(a.option_strings, key=len): a for a in PARSERS[command]._actions if a.option_strings}


def _is_numeric(action: argparse.Action) -> bool:
    kind = getattr(action.type, "__name__", "")
    return kind in ("int", "float") or (isinstance(action.default, (int, float)) and not isinstance(action.default, bool))


def _out_index(argv: list[str]) -> int | None:
    return next((i + 1 for i, a in enumerate(argv) if a in OUTPUT_OPTIONS), None)


def _input_index(argv: list[str]) -> int | None:
    return next((i for i, a in enumerate(argv) if a in ("{data}", "{tmp}") and (i == 0 or argv[i - 1] not in OUTPUT_OPTIONS)),
                None)


def _cases() -> list[tuple[str, str, str]]:
    """(command, case, detail) for every command and hostile argument that applies to it."""
    cases = []
    for command in COMMANDS:
        cases.append((command, "closed-stdout", "--help"))
        base = BASELINES.get(command)
        if base is None:
            continue
        out = _out_index(base)
        if out is not None:
            is_file = command not in DIRECTORY_OUTPUTS
            for case in ("out-at-root", "out-missing-dir", "out-fifo", "out-file-for-dir" if not is_file else "out-is-dir"):
                cases.append((command, case, base[out - 1]))
            if is_file:
                cases.append((command, "out-bad-suffix", base[out - 1]))
        if _input_index(base) is not None:
            for case in ("in-missing", "in-fifo", "in-junk-file"):
                cases.append((command, case, ""))
            if base[_input_index(base)] == "{data}":  # an input of data (not a folder to work in)
                cases += [(command, "in-empty-dir", ""), (command, "in-dir-with-junk-archive", "")]
        for option, action in _options(command).items():
            if not _is_numeric(action):
                continue
            for value in ("abc", "nan", "1e999"):
                cases.append((command, f"number={value}", option))
            if option in POSITIVE:
                cases += [(command, "number=0", option), (command, "number=-1", option)]
            if option in INDEX:
                cases.append((command, "number=-1", option))
    for extra in (("plugins", "closed-stdout", "--json"), ("formats", "closed-stdout", "--json"),
                  ("formats", "closed-stdout", ""), ("info", "closed-stdout", "{data}"),
                  ("fit", "closed-stdout", "--list-templates")):
        if extra[0] in PARSERS:
            cases.append(extra)
    return cases


@pytest.fixture(scope="session")
def iris_data(tmp_path_factory) -> Path:
    """A small generated IRIS Level 2 observation (real file layout), made once."""
    generator = pytest.importorskip("irisplug_iris.generator", reason="the iris plugin generates the test observation")
    folder = tmp_path_factory.mktemp("contract-data")
    generator.generate(folder, quiet=True)
    return folder


def _env() -> dict[str, str]:
    env = dict(os.environ, IRISPLUG_QUIET="1", MPLBACKEND="Agg")
    env.pop("IRISPLUG_DEBUG", None)
    return env


def _run(argv: list[str], *, stdout=subprocess.PIPE, cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run([sys.executable, "-m", "irisplug", *argv], stdout=stdout, stderr=subprocess.PIPE,
                              text=True, env=_env(), timeout=TIMEOUT, cwd=cwd)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`irisplug {' '.join(argv)}` hung (no answer within {TIMEOUT} s)")


def _keyword_advice(command: str, stderr: str) -> list[str]:
    """Python keyword advice (``overwrite=True``) for an option the command has as a flag."""
    dests = {a.dest for a in PARSERS[command]._actions if a.option_strings}
    return [m for m in re.findall(r"\b([a-z_]+)=", stderr) if m in dests]


def _assert_clean_failure(command: str, argv: list[str], proc: subprocess.CompletedProcess, names: list[str]) -> None:
    shown = f"`irisplug {' '.join(argv)}`: exit {proc.returncode}\nstderr: {proc.stderr[-2000:]}"
    assert proc.returncode != 0, shown
    assert "Traceback" not in proc.stderr, shown
    assert "internal error" not in proc.stderr, shown
    assert proc.stderr.strip(), shown
    assert any(n in proc.stderr for n in names), f"none of {names} named; {shown}"
    assert not _keyword_advice(command, proc.stderr), f"Python keyword advice on the command line; {shown}"


def _fill(argv: list[str], data: Path, tmp: Path) -> list[str]:
    return [a.replace("{data}", str(data)).replace("{tmp}", str(tmp)) for a in argv]


@pytest.mark.parametrize(("command", "case", "detail"), _cases(), ids=lambda v: str(v) or "-")
def test_hostile_arguments_end_in_a_clear_error(command, case, detail, iris_data, tmp_path):
    base = _fill(BASELINES.get(command, []), iris_data, tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    if case == "closed-stdout":
        argv = [command, *([_fill([detail], iris_data, tmp_path)[0]] if detail else [])]
        read_end, write_end = os.pipe()
        os.close(read_end)  # whatever the command prints meets a closed pipe (as `| head -1` after one line)
        try:
            proc = _run(argv, stdout=write_end, cwd=cwd)
        finally:
            os.close(write_end)
        shown = f"`irisplug {' '.join(argv)}` with stdout closed: exit {proc.returncode}\nstderr: {proc.stderr[-2000:]}"
        assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, shown
        assert "internal error" not in proc.stderr, shown
        return

    argv = [command, *base]
    names: list[str] = []
    must_not_exist: list[Path] = []
    if case.startswith("out-"):
        i = _out_index(argv)  # (argv holds the command first; the index is that of the value)
        suffix = Path(argv[i]).suffix
        if case == "out-at-root":
            root = Path(f"/nonexistent-irisplug-contract-{os.getpid()}")
            argv[i] = str(root / "sub" / f"out{suffix}")
            must_not_exist.append(root)
        elif case == "out-missing-dir":
            argv[i] = str(tmp_path / "missing" / f"out{suffix}")
            must_not_exist.append(tmp_path / "missing")
        elif case == "out-fifo":
            fifo = tmp_path / f"out-fifo{suffix}"
            os.mkfifo(fifo)
            argv[i] = str(fifo)
        elif case == "out-is-dir":
            argv[i] = str(tmp_path)
        elif case == "out-file-for-dir":
            plain = tmp_path / "plain-file"
            plain.write_text("not a directory")
            argv[i] = str(plain)
        elif case == "out-bad-suffix":
            argv[i] = str(tmp_path / "out.badsuffix")
            must_not_exist.append(tmp_path / "out.badsuffix")
        names = [detail]
    elif case.startswith("in-"):
        i = 1 + _input_index(BASELINES[command])
        if case == "in-missing":
            target = tmp_path / "missing-input.fits"
        elif case == "in-fifo":
            target = tmp_path / "input-fifo.fits"
            os.mkfifo(target)
        elif case == "in-junk-file":
            target = tmp_path / "junk-input.fits"
            target.write_bytes(os.urandom(5000))
        elif case == "in-empty-dir":
            target = tmp_path / "empty-folder"
            target.mkdir()
        else:  # in-dir-with-junk-archive: a good observation and one damaged archive beside it
            target = tmp_path / "with-junk"
            shutil.copytree(iris_data, target)
            (target / "junk-archive.tar.gz").write_bytes(b"\x1f\x8b" + os.urandom(3000))
            names = ["junk-archive.tar.gz"]
        argv[i] = str(target)
        names = names or [target.name]
    elif case.startswith("number="):
        value = case.split("=", 1)[1]
        action = _options(command)[detail]
        count = action.nargs if isinstance(action.nargs, int) else 1
        argv += [f"{detail}={value}"] if count == 1 else [detail, *[value] * count]
        names = [detail]
    proc = _run(argv, cwd=cwd)
    _assert_clean_failure(command, argv, proc, names)
    for path in must_not_exist:
        assert not path.exists(), f"`irisplug {' '.join(argv)}` created {path}"
    assert not any(cwd.iterdir()), f"`irisplug {' '.join(argv)}` left {sorted(p.name for p in cwd.iterdir())}"


def test_every_built_in_command_has_a_baseline():
    """A command of a plugin shipped here must be in BASELINES, so the hostile cases reach it."""
    from irisplug.plugin_manager import get_plugin_manager

    repo_plugins = {p.name for p in (Path(__file__).resolve().parents[1] / "plugins").iterdir() if p.is_dir()}
    pm = get_plugin_manager()
    built_in = {rec.name for rec in pm.records if rec.distribution.removeprefix("irisplug-") in repo_plugins}
    contributed = {name for name, d in pm.contributions("command").items() if d.plugin in built_in}
    from irisplug.cli.builtin import COMMANDS as CORE

    missing = sorted((contributed | set(CORE)) - set(BASELINES))
    assert not missing, f"commands without a baseline invocation in BASELINES: {missing}"


def test_help_lists_every_command_that_the_contract_runs():
    proc = subprocess.run([sys.executable, "-m", "irisplug", "--help"], capture_output=True, text=True, env=_env(),
                          timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    listed = set(re.findall(r"^    (\w[\w-]*)", proc.stdout, flags=re.M))
    assert set(COMMANDS) <= listed | {"COMMAND"}, (COMMANDS, listed)


def test_errors_advise_flags_not_python_keywords(iris_data, tmp_path):
    """The core's and plugins' errors say ``pass window=``/``overwrite=True``; the CLI says ``--window``/``--overwrite``."""
    proc = _run(["fit", str(iris_data), "--out", str(tmp_path / "f.fits")], cwd=tmp_path)
    assert proc.returncode == 2 and "--window" in proc.stderr and "window=" not in proc.stderr, proc.stderr
    existing = tmp_path / "exists.fits"
    existing.write_bytes(b"")
    proc = _run(["fit", str(iris_data), "--window", "Si IV 1403", "--out", str(existing)], cwd=tmp_path)
    assert proc.returncode == 2 and "--overwrite" in proc.stderr and "overwrite=" not in proc.stderr, proc.stderr


def test_mutually_exclusive_profiles_are_a_usage_error(iris_data, tmp_path):
    proc = _run(["fit", str(iris_data), "--voigt", "--lorentz"], cwd=tmp_path)
    assert proc.returncode == 2 and "not allowed with" in proc.stderr and "Traceback" not in proc.stderr


def test_broken_pipe_after_the_first_line(tmp_path):
    """``irisplug formats --json | head -1``: the command stops quietly when the reader goes away."""
    proc = subprocess.run(f"{sys.executable} -m irisplug formats --json | head -1", shell=True, capture_output=True,
                          text=True, env=_env(), timeout=TIMEOUT, cwd=tmp_path)
    assert proc.stdout.strip() == "["
    assert "Traceback" not in proc.stderr and "BrokenPipeError" not in proc.stderr, proc.stderr


def test_cli_message_rewrites_only_the_commands_options():
    from irisplug.cli.main import cli_message

    p = argparse.ArgumentParser()
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--window", metavar="LABEL")
    text = "x: exists; pass overwrite=True; pass window=; pass wavelength=1400"
    assert cli_message(text, p) == "x: exists; pass --overwrite; pass --window LABEL; pass wavelength=1400"


def test_a_bug_in_a_command_is_one_line_naming_the_command_and_plugin(install, tmp_path):
    mod = tmp_path / "site" / "irisplug_buggy.py"
    mod.write_text(
        "import irisplug\n"
        "def _run(args):\n    return 1 / 0\n"
        "@irisplug.hookimpl\n"
        "def irisplug_commands():\n"
        "    return [irisplug.CommandDescriptor(name='buggy', run=_run, description='divides by zero')]\n"
    )
    install("irisplug-buggy", {"buggy": "irisplug_buggy"})
    proc = _run(["buggy"], cwd=tmp_path)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "internal error in 'irisplug buggy' [plugin 'buggy']: ZeroDivisionError" in proc.stderr
    env = dict(_env(), IRISPLUG_DEBUG="1")
    debug = subprocess.run([sys.executable, "-m", "irisplug", "buggy"], capture_output=True, text=True, env=env,
                           timeout=TIMEOUT, cwd=tmp_path)
    assert "Traceback" in debug.stderr and "ZeroDivisionError" in debug.stderr
