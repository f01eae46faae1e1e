"""A project: the folders the pipeline reads and writes, passed to every stage that needs them.

Nothing in sitegen/ finds its folders by itself: build.py, the tests and the benchmark make a
Project for the checkout they work on (`Project.at(root)`) and hand it down, so a test can
point the whole pipeline at a copy without patching anything.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .config import inert_url

# Must agree with mkdocs.yml (a test checks): the cards, the feed and the metadata carry them.
SITE_NAME = "ملف الأمن العراقي"
SITE_DESCRIPTION = "ملف منسّق من التقارير الإخبارية العربية عن أمن العراق، أمن الانتخابات وبقايا داعش وحملات حصر السلاح."


@dataclass(frozen=True)
class Project:
    root: Path
    site_url: str = ""  # the published address (SITE_URL), "" when not known

    @classmethod
    def at(cls, root: Path | str, site_url: str = "") -> "Project":
        """site_url as config.settings() returned it; made inert here too (defence in depth), so
        that an address that was never checked holds no character that could become markup."""
        url = inert_url(site_url.strip())
        if url and not url.endswith("/"):
            url += "/"
        return cls(Path(root).resolve(), url)

    @property
    def dossier_dir(self) -> Path:
        return self.root / "dossier"

    @property
    def schema_dir(self) -> Path:
        return self.dossier_dir / "schema"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def overrides_dir(self) -> Path:
        return self.root / "overrides"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    @property
    def work_dir(self) -> Path:
        """Where builds happen before they are swapped in (see output/transaction.py)."""
        return self.root / ".build"

    @property
    def schemas_passed(self) -> Path:
        """Names the last schemas that passed their checks (checking/schema.py): a run on the same
        ones skips checking them again."""
        return self.work_dir / "schemas-passed"

    @property
    def compiled_templates_dir(self) -> Path:
        """Jinja's compiled templates, ours and the theme's, kept between runs by their source
        (a bytecode cache: compiling them is a fixed cost of every build)."""
        return self.work_dir / "jinja"


def folder_digest(folder: Path, pattern: str = "*") -> str:
    """A fingerprint of every file's name and bytes under folder: templates and schemas are few and small."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(folder.rglob(pattern)) if folder.is_dir() else []:
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return digest.hexdigest()
