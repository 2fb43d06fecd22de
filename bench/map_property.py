"""The incremental-equals-scratch property test at benchmark scale (thousands of sequences).

    python bench/map_property.py [--examples 3000]

CI runs the same test with a few hundred examples (tests/map/test_incremental_property.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=3000)
    args = ap.parse_args()
    env = dict(os.environ, SSC_PROPERTY_EXAMPLES=str(args.examples))
    t = time.perf_counter()
    rc = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/map/test_incremental_property.py"], cwd=ROOT, env=env)
    print(f"{args.examples} edit sequences: {'all equal' if rc == 0 else 'MISMATCH'} "
          f"in {time.perf_counter() - t:.0f}s")
    return rc


if __name__ == "__main__":
    sys.exit(main())
