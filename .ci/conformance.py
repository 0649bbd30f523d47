"""Run ../shared/conformance/check.py and judge its output against our documented deviations.

    python .ci/conformance.py SCENARIO.py [...]

check.py compares with the golden output of datajoint 2.3.5, bugs included.  A scenario
passes here when it ran to its end and every label that differs from the golden output is
listed in tests/conformance/deviations.txt (where the reference is wrong and we are right).
Exit status 0 when every scenario passes; the last line summarises.
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHECK = pathlib.Path(os.environ.get("DJ_CONFORMANCE_CHECK", ROOT.parent / "shared" / "conformance" / "check.py"))
DEVIATIONS = ROOT / "tests" / "conformance" / "deviations.txt"


def allowed_deviations() -> set[str]:
    lines = (line.split("#", 1)[0].strip() for line in DEVIATIONS.read_text().splitlines())
    return {line for line in lines if line}


def main(scenarios: list[str]) -> int:
    run = subprocess.run([sys.executable, str(CHECK), *scenarios], capture_output=True, text=True)
    print(run.stdout, end="")
    print(run.stderr, end="", file=sys.stderr)
    failed = set(re.findall(r"^FAIL (.+)$", run.stdout, re.M))
    crashed = re.findall(r"^(\S+) exited with", run.stdout, re.M)
    unexpected = failed - allowed_deviations()
    passed = re.search(r"^conformance: (\d+) passed", run.stdout, re.M)
    summary = (f"{passed.group(1) if passed else 0} passed, {len(failed) - len(unexpected)} documented "
               f"deviations, {len(unexpected)} failed" + (f", crashed: {' '.join(crashed)}" if crashed else ""))
    print(f"conformance: {summary}")
    return 1 if unexpected or crashed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
