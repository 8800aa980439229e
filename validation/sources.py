"""Where the third-party data are read from; nothing here is copied into the repository.

- ``../shared/data`` (relative to the repository root): the project's shared data
  (SocioPatterns High School 2013, SNAP CollegeMsg / email-Eu-core, Enron).
- Git mirrors of public GitHub repositories, one per source, pinned to a commit
  (see SOURCES.md). Their root defaults to /work/.mirror and can be moved with
  $LEDGER_VALIDATION_MIRRORS; each file is read with ``git show COMMIT:PATH``.

Every loader returns None when its data are absent, so the scripts can skip politely.
"""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
MIRRORS = Path(os.environ.get("LEDGER_VALIDATION_MIRRORS", "/work/.mirror"))

PINNED = {
    # name: (owner+repo directory, commit, path prefix)
    "cns": (
        "UCL-ARC+social-contagion-of-violence",
        "6596f5c00b7eaf7a2d991818b28fd71f86c22753",
        "src/input/copenhagen/",
    ),
    "socialevolution": (
        "uoguelph-mlrg+LDG",
        "48d3ca20eeb85c1290ff7955a8812577de646d5d",
        "SocialEvolution/",
    ),
    "schoolfriends": (
        "keithmcnulty+onadata-python",
        "0b0761b8a515274075d31aae5fee3cc9c49c5dc8",
        "onadata/data/",
    ),
}


def _git_dir(name: str) -> Path | None:
    repo = MIRRORS / PINNED[name][0]
    for candidate in (repo / "repo" / ".git", repo / "repo", repo):
        if (candidate / "HEAD").exists() and (candidate / "objects").exists():
            return candidate
    return None


def mirror_csv(name: str, file: str, **kw) -> pd.DataFrame | None:
    git = _git_dir(name)
    if git is None:
        return None
    _, commit, prefix = PINNED[name]
    try:
        blob = subprocess.run(
            ["git", f"--git-dir={git}", "show", f"{commit}:{prefix}{file}"],
            check=True,
            capture_output=True,
        ).stdout
    except (subprocess.CalledProcessError, FileNotFoundError):
        return None
    return pd.read_csv(io.BytesIO(blob), **kw)


def shared(path: str) -> Path | None:
    p = SHARED / path
    return p if p.exists() else None
