"""Data files shipped inside the package (lexicons, pipelines, schema, models)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

PACKAGE = "textpipe"


def package_path(*parts: str) -> Path:
    """Path of a file inside the installed package (wheels install as plain files)."""
    return Path(str(resources.files(PACKAGE).joinpath(*parts)))


def load_toml(path: str | Path) -> dict[str, Any]:
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def load_package_toml(*parts: str) -> dict[str, Any]:
    return load_toml(package_path(*parts))


def load_package_json(*parts: str) -> Any:
    return json.loads(package_path(*parts).read_text(encoding="utf-8"))
