"""Whether the Whoosh engine may use its fast paths, which read and write Whoosh's internals.

search.engines.whoosh.codec (segment writing and merging) and .postings (reading posting
blocks at search time) use about twenty-five private names of Whoosh and its on-disk
format, as whoosh-reloaded 2.7.5 has them. With any other Whoosh installed they stay
unused: the engine writes with Whoosh's own writer and merge policy and scores with
Whoosh's own searcher (slower, the same results), and says so once in the log, rather
than risk writing an index that Whoosh cannot read.
"""

from __future__ import annotations

import functools
import logging
from importlib import metadata

logger = logging.getLogger("search.engines.whoosh")

WRITTEN_FOR = ("whoosh-reloaded", "2.7.5")
DISTRIBUTIONS = ("Whoosh-Reloaded", "Whoosh")


def installed_whoosh() -> tuple[str, str]:
    """(distribution name, version) of the Whoosh that `import whoosh` loads."""
    for name in DISTRIBUTIONS:
        try:
            return name.lower(), metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    import whoosh

    return "unknown", whoosh.versionstring()


@functools.cache
def fast_paths() -> bool:
    """True when the installed Whoosh is the one the fast paths were written for (logged once if not)."""
    found = installed_whoosh()
    if found != WRITTEN_FOR:
        logger.warning(
            "search: %s %s is installed, the Whoosh engine's fast paths were written for %s %s: "
            "using Whoosh's own writer, merge and searcher instead (same results, slower)",
            *found,
            *WRITTEN_FOR,
        )
        return False
    try:
        from . import codec, postings  # noqa: F401 - they import the private names
    except (ImportError, AttributeError) as exc:
        logger.warning("search: Whoosh's internals are not as expected (%s): using Whoosh's own paths", exc)
        return False
    return True
