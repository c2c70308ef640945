"""
Command-line checks before any work
===================================

Every ``irisplug`` command refuses a bad output or number while its arguments
are parsed, before anything is read or written, and errors written for the
Python API (``pass overwrite=True``) are shown with the command's flags. A
plugin's command gets the same checks from :mod:`irisplug.cli.arguments`.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from irisplug.cli.arguments import output_file, positive_float
from irisplug.cli.main import cli_message

work = Path(tempfile.mkdtemp())

# A plugin command's options: an image file and a rate.
parser = argparse.ArgumentParser(prog="irisplug mycommand", exit_on_error=False)
parser.add_argument("--out", type=output_file([".png", ".pdf"]))
parser.add_argument("--rate", type=positive_float, default=1.0)
parser.add_argument("--overwrite", action="store_true")

print(parser.parse_args(["--out", str(work / "figure.png"), "--rate", "2.5"]))
for bad in (["--out", str(work / "missing" / "figure.png")], ["--out", str(work / "figure.txt")], ["--rate", "0"]):
    try:
        parser.parse_args(bad)
    except argparse.ArgumentError as err:
        print("refused:", err)

# An error of the Python API, as the command line shows it.
print(cli_message(f"{work / 'figure.png'}: exists; pass overwrite=True to replace it", parser))

# The real command: a frame rate of 0 is refused at once, with exit status 2 and no traceback.
proc = subprocess.run([sys.executable, "-m", "irisplug", "movie", "obs/", "--out", str(work / "m.gif"), "--fps", "0"],
                      capture_output=True, text=True)
print("exit status", proc.returncode, "|", proc.stderr.strip().splitlines()[-1])
