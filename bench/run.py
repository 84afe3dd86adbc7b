"""Run every benchmark (bench/bench_*.py), one after another, each in its own process."""

import subprocess
import sys
from pathlib import Path

failed = []
for script in sorted(Path(__file__).parent.glob("bench_*.py")):
    print(f"== {script.name}", flush=True)
    if subprocess.run([sys.executable, str(script)]).returncode:
        failed.append(script.name)
if failed:
    sys.exit(f"Benchmarks that failed: {', '.join(failed)}")
