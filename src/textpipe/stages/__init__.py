"""The registered stages, by the names pipeline files use."""

from __future__ import annotations

from ..stage import Stage
from .blocks import Blocks
from .boilerplate import Boilerplate
from .languages import Languages
from .names import Names
from .read import Read
from .transliteration import Transliteration
from .write import Write

STAGES: dict[str, type[Stage]] = {
    stage.name: stage for stage in (Read, Blocks, Boilerplate, Languages, Names, Transliteration, Write)
}

__all__ = ["STAGES", "Read", "Blocks", "Boilerplate", "Languages", "Names", "Transliteration", "Write"]
