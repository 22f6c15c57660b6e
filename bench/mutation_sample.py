"""Mutation score of proofs/ on a seeded random sample of its mutants.

    python bench/mutation_sample.py [--size 300] [--seed 20261126] [--scratch /tmp/mutation-proofs]

proofs/'s tests take seconds per mutant (sympy derivations, exact sub-volume checks), so all ~3000 mutants
would take days on 2 cores; a sample of n gives the killed fraction p with standard error sqrt(p (1 - p) / n).
The script copies the committed tree (``git archive HEAD``) into a scratch directory, points mutmut's
configuration at proofs/, generates every mutant, draws the sample with ``random.Random(seed)`` from the
sorted mutant names, runs mutmut on the sample only, and prints the score and the survivors (read each
with ``mutmut show NAME`` inside the scratch directory). About 70 minutes for 300 mutants on 2 cores.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
PROOFS_CONFIGURATION = """[tool.mutmut]
source_paths = ["proofs/result.py", "proofs/subvolume.py", "proofs/channel_scaling.py", "proofs/distinct_rows.py",
                "proofs/volume_law.py"]
also_copy = ["numeric", "proofs", "cnn_bounds"]
pytest_add_cli_args_test_selection = ["tests/test_proofs.py", "tests/test_result.py", "--deselect",
    "tests/test_proofs.py::test_derive_reports_every_result_verified_and_writes_latex"]
"""
CAUGHT = {"killed", "timeout"}


def prepare(scratch: Path) -> None:
    """The committed tree in ``scratch``, with mutmut configured for proofs/."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", "HEAD"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(scratch)], input=archive, check=True)
    pyproject = scratch / "pyproject.toml"
    text = pyproject.read_text()
    text = re.sub(r"\[tool\.mutmut\].*?(?=\n\[|\Z)", PROOFS_CONFIGURATION, text, flags=re.S)
    pyproject.write_text(text)


def statuses(scratch: Path) -> dict[str, str]:
    """Every generated mutant's name and mutmut's status for it."""
    listing = subprocess.run(
        ["mutmut", "results", "--all", "true"], cwd=scratch, check=True, capture_output=True, text=True
    ).stdout
    return dict(line.strip().rsplit(": ", 1) for line in listing.splitlines() if ": " in line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=300, help="mutants in the sample (default 300)")
    parser.add_argument("--seed", type=int, default=20261126, help="seed of the sample (default 20261126)")
    parser.add_argument(
        "--scratch",
        type=Path,
        default=Path("/tmp/mutation-proofs"),
        help="scratch directory, replaced (default /tmp/mutation-proofs)",
    )
    arguments = parser.parse_args()
    prepare(arguments.scratch)
    # mutmut 3 generates every mutant before filtering by name; a name that matches nothing stops it there
    subprocess.run(["mutmut", "run", "generate.only"], cwd=arguments.scratch, capture_output=True)
    names = sorted(statuses(arguments.scratch))
    if len(names) < arguments.size:
        parser.error(f"--size {arguments.size} is more than the {len(names)} mutants generated")
    sample = random.Random(arguments.seed).sample(names, arguments.size)
    subprocess.run(["mutmut", "run", *sample], cwd=arguments.scratch, stdout=subprocess.DEVNULL)
    outcome = statuses(arguments.scratch)
    sample_statuses = [outcome[name] for name in sample]
    caught = sum(status in CAUGHT for status in sample_statuses)
    score = caught / len(sample)
    print(
        f"{len(names)} mutants, sample of {len(sample)} (seed {arguments.seed}): {caught} caught = "
        f"{100 * score:.1f} % (standard error {100 * math.sqrt(score * (1 - score) / len(sample)):.1f} %)"
    )
    for status in sorted(set(sample_statuses)):
        print(f"  {status}: {sample_statuses.count(status)}")
    for name in sorted(name for name, status in zip(sample, sample_statuses) if status not in CAUGHT):
        print(f"  not caught ({outcome[name]}): {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
