"""Mail as written: every subject the site sends reads back word for word, spaces included,
however long the firm's name makes it."""

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext, ngettext

from app.mail import compose_message, deliver_now

# Messages, not the pieces they include (named _*.txt).
TEMPLATES = sorted(Path("app/templates/email").glob("[!_]*.txt"))
SUBJECT = re.compile(r'_\("([^"]+)"')
PLURAL_SUBJECT = re.compile(r'ngettext\("([^"]+)", "([^"]+)"')
LONG_NAME = "Công ty TNHH Môi trường và Công nghệ Xử lý Nước thải Sông Trà Khúc Quảng Ngãi"


def _subject(template: Path, language: str) -> str:
    """The template's subject line in `language`, each placeholder filled with a long name."""
    first_line = template.read_text().splitlines()[0]
    plural = PLURAL_SUBJECT.search(first_line)
    msgid = plural.group(2) if plural else SUBJECT.search(first_line).group(1)
    values = {name: LONG_NAME for name in re.findall(r"%\((\w+)\)s", msgid) if name != "num"}
    with force_locale(language):
        if plural:
            return ngettext(plural.group(1), plural.group(2), 12, **values)
        return gettext(msgid, **values)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.stem)
def test_every_subject_reads_back_with_its_spaces(app, template, language):
    subject = _subject(template, language)

    deliver_now(compose_message("lan@example.vn", subject, "Nội dung.", language))

    [written] = Path(app.config["MAIL_FILE_DIR"]).glob("*.eml")
    message = BytesParser(policy=policy.default).parsebytes(written.read_bytes())
    assert message["Subject"] == subject
    assert all(len(line) <= 78 for line in written.read_bytes().splitlines())
