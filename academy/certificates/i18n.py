"""The certificate's own message catalogue (domain ``certificates``).

The PDF is printed in the certificate's language, not the page's, so its wording lives
in a small separate catalogue beside the designs:
``academy/certificates/translations/<ll>/LC_MESSAGES/certificates.po``. It is read
straight from the .po file (compiled in memory once per process), so a fresh checkout
prints French and Arabic certificates without a build step. Use inside
``flask_babel.force_locale(language)``.
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import Domain, get_locale

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
_lock = threading.Lock()


class PoDomain(Domain):
    """A Flask-Babel domain that loads its catalogues from .po files."""

    def __init__(self, directory: Path, domain: str) -> None:
        super().__init__(translation_directories=[str(directory)], domain=domain)
        self.directory = directory

    def languages(self) -> list[str]:
        return sorted(p.parent.parent.name for p in self.directory.glob(f"*/LC_MESSAGES/{self.domain[0]}.po"))

    def get_translations(self):
        locale = str(get_locale() or "en")
        cached = self.cache.get(locale)
        if cached is not None:
            return cached
        with _lock:
            path = self.directory / locale / "LC_MESSAGES" / f"{self.domain[0]}.po"
            if not path.exists():
                translations = support.NullTranslations()
            else:
                with path.open("rb") as fh:
                    catalog = read_po(fh, locale=locale, domain=self.domain[0])
                buf = io.BytesIO()
                write_mo(buf, catalog, use_fuzzy=False)
                buf.seek(0)
                translations = support.Translations(buf, domain=self.domain[0])
            self.cache[locale] = translations
            return translations


domain = PoDomain(TRANSLATIONS_DIR, "certificates")
gettext = domain.gettext
ngettext = domain.ngettext
