"""What measuring one hostile upload costs: an 8000x8000 PNG of ~190 KB, before and after issue 12 item 11.

Before: the upload was fully decoded (verify, then load) and, with an alpha mode, converted to RGBA to look
for transparency. After: the header gives format and size, the mode says whether to look for alpha, and only
then is it decoded once, without a converted copy. Each case runs in a fresh process, so its peak RSS is its own.

    .venv/bin/python benchmarks/upload_measure.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import io, json, resource, sys, time
sys.path.insert(0, {repo!r})
import django
django.setup()
from PIL import Image
from studio.gallery.imaging import open_within_limit
from studio.generation import uploads
from tests.bounded_pictures import sparse_png

mode, way = sys.argv[1], sys.argv[2]
data = sparse_png(8000, 8000, mode)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start, cpu = time.perf_counter(), time.process_time()
if way == "before":
    im = open_within_limit(io.BytesIO(data))
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im.convert("RGBA").getchannel("A").getextrema()
    im.getexif()
else:
    uploads.measure(data)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"bytes": len(data), "wall": wall, "cpu": cpu, "rss_mb": (peak - base) / 1024}}))
"""


def run(mode: str, way: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "studio.settings", "DEBUG": "true"}
    done = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(REPO)), mode, way], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"{'picture':<22}{'way':<8}{'wall s':>8}{'cpu s':>8}{'extra peak RSS MB':>19}")
    for mode in ("RGB", "RGBA"):
        results = {way: run(mode, way) for way in ("before", "after")}
        for way, r in results.items():
            print(f"8000x8000 {mode:<4} {r['bytes'] // 1024:>4} KB  {way:<8}{r['wall']:>8.3f}{r['cpu']:>8.3f}"
                  f"{r['rss_mb']:>19.1f}")
        b, a = results["before"], results["after"]
        print(f"{'':<22}{'ratio':<8}{b['wall'] / max(a['wall'], 1e-6):>7.0f}x{'':>8}"
              f"{b['rss_mb'] / max(a['rss_mb'], 0.1):>18.0f}x")


if __name__ == "__main__":
    main()
