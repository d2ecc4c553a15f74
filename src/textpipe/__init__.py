"""textpipe: article bodies, language segments and romanized names from scraped pages.

Library use::

    import textpipe
    pipe = textpipe.Pipeline.load("default")
    doc = pipe(page_text)                 # or pipe(html, format="html")
    record = doc.to_dict()                # the JSONL record (schema version 1)
    textpipe.identify("Жыве Беларусь")    # ("be", 0.99)
    textpipe.transliterate("Движение Будущего")  # "Dvizheniye Budushchego"
"""

from .document import Block, Document, DocumentError, Name, Segment
from .langid import identify
from .pipeline import Pipeline
from .stage import ConfigError
from .translit import transliterate

__version__ = "0.1.0"

__all__ = [
    "Block",
    "ConfigError",
    "Document",
    "DocumentError",
    "Name",
    "Pipeline",
    "Segment",
    "identify",
    "transliterate",
    "__version__",
]
