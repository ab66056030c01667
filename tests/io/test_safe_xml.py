"""Hostile and broken XML must be refused with a reason, never parsed or expanded."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from cscperf.io import base
from cscperf.io.base import FileRefused
from cscperf.io.safe_xml import safe_iterparse, sniff_root

GOOD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n  <A>one</A>\n  <A>two</A>\n</Message>\n'
)


def _write(tmp_path: Path, data: bytes, name: str = "f.xml") -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _texts(path: Path, **kw: object) -> list[tuple[str | None, int]]:
    return [(el.text, el.sourceline) for el in safe_iterparse(path, "A", **kw)]  # type: ignore[arg-type]


def _refused(path: Path) -> str:
    with pytest.raises(FileRefused) as exc:
        _texts(path)
    assert exc.value.path == str(path)
    return exc.value.reason


def test_good_file_streams_elements_with_lines(tmp_path: Path) -> None:
    assert _texts(_write(tmp_path, GOOD)) == [("one", 3), ("two", 4)]


def test_tuple_of_tags_and_start_events(tmp_path: Path) -> None:
    p = _write(tmp_path, b"<M><A>1</A><B>2</B><C>3</C></M>")
    assert [e.tag for e in safe_iterparse(p, ("A", "C"))] == ["A", "C"]
    assert [e.tag for e in safe_iterparse(p, "M", events=("start",))] == ["M"]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Message><A>&lol4;</A></Message>
"""


def test_billion_laughs_refused(tmp_path: Path) -> None:
    reason = _refused(_write(tmp_path, BILLION_LAUGHS))
    assert reason.startswith("line 2: has a DOCTYPE")


def test_quadratic_blowup_refused(tmp_path: Path) -> None:
    big = b"x" * 50_000
    doc = (
        b'<!DOCTYPE m [<!ENTITY a "' + big + b'">]><Message><A>' + b"&a;" * 1000 + b"</A></Message>"
    )
    assert "DOCTYPE" in _refused(_write(tmp_path, doc))


def test_xxe_file_refused_and_never_read(tmp_path: Path) -> None:
    secret = _write(tmp_path, b"TOP-SECRET", "secret.txt")
    doc = (
        f'<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        "<Message><A>&x;</A></Message>"
    ).encode()
    reason = _refused(_write(tmp_path, doc))
    assert "DOCTYPE" in reason and "TOP-SECRET" not in reason


def test_xxe_http_and_external_dtd_refused(tmp_path: Path) -> None:
    for doc in (
        b'<!DOCTYPE m [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><Message><A>&x;</A></Message>',
        b'<!DOCTYPE Message SYSTEM "http://127.0.0.1:9/evil.dtd"><Message><A>1</A></Message>',
    ):
        assert "DOCTYPE" in _refused(_write(tmp_path, doc))


def test_parameter_entities_refused(tmp_path: Path) -> None:
    doc = (
        b'<?xml version="1.0"?>\n<!-- harmless comment -->\n'
        b'<!DOCTYPE m [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n'
        b"<Message><A>1</A></Message>"
    )
    assert _refused(_write(tmp_path, doc)).startswith("line 3: has a DOCTYPE")


def test_undeclared_entity_refused(tmp_path: Path) -> None:
    reason = _refused(_write(tmp_path, b"<Message>\n<A>&x;</A></Message>"))
    assert "malformed" in reason or "entity" in reason


def test_truncated_names_the_line(tmp_path: Path) -> None:
    doc = b"<Message>\n<A>one</A>\n<A>tw"
    with pytest.raises(FileRefused) as exc:
        _texts(_write(tmp_path, doc))
    assert exc.value.reason.startswith("line 3: truncated or malformed XML")


def test_elements_before_the_error_are_still_yielded(tmp_path: Path) -> None:
    # Streaming: a big file's elements before a late error are yielded as they are read.
    # (The document must span several of the parser's reads: lxml 6.2 parses a small
    # file in one read and raises before yielding anything.)
    body = b"".join(b"<A>%d</A>\n" % i for i in range(50_000))
    seen: list[str | None] = []
    with pytest.raises(FileRefused):
        for el in safe_iterparse(_write(tmp_path, b"<M>\n" + body + b"<A>x</B></M>"), "A"):
            seen.append(el.text)
    assert len(seen) > 1_000
    assert seen == [str(i) for i in range(len(seen))]


def test_not_xml_at_all(tmp_path: Path) -> None:
    assert _refused(_write(tmp_path, b"CHILD,SEX,DOB\n1,1,2010-01-01\n")).startswith(
        "line 1: is not XML"
    )
    assert _refused(_write(tmp_path, b"")) == "is empty"
    assert "is not XML" in _refused(_write(tmp_path, b"\x1f\x8b\x08\x00gzip"))


def test_mismatched_close_tag(tmp_path: Path) -> None:
    assert _refused(_write(tmp_path, b"<M>\n\n<A>1</B></M>")).startswith("line 3: malformed XML")


def test_over_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = _write(tmp_path, GOOD)
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 10)
    assert _refused(p) == f"is {len(GOOD)} bytes, over the 10-byte limit"
    assert _texts(p, max_bytes=10_000) == [("one", 3), ("two", 4)]


def test_bytes_not_matching_declared_utf8(tmp_path: Path) -> None:
    doc = '<?xml version="1.0" encoding="UTF-8"?>\n<Message>\n<A>caf\xe9</A></Message>'.encode(
        "latin-1"
    )
    reason = _refused(_write(tmp_path, doc))
    assert reason.startswith("line 3: wrong character encoding")


def test_declared_latin1_is_honoured(tmp_path: Path) -> None:
    doc = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<M><A>caf\xe9</A></M>'.encode("latin-1")
    assert _texts(_write(tmp_path, doc)) == [("café", 2)]


def test_utf16_with_bom_and_matching_declaration(tmp_path: Path) -> None:
    doc = '<?xml version="1.0" encoding="UTF-16"?>\n<M>\n<A>café</A></M>'.encode("utf-16")
    assert doc.startswith(codecs.BOM_UTF16_LE) or doc.startswith(codecs.BOM_UTF16_BE)
    assert _texts(_write(tmp_path, doc)) == [("café", 3)]


def test_utf8_bom(tmp_path: Path) -> None:
    assert _texts(_write(tmp_path, codecs.BOM_UTF8 + GOOD)) == [("one", 3), ("two", 4)]


def test_declaration_contradicting_bytes(tmp_path: Path) -> None:
    utf16_says_utf8 = '<?xml version="1.0" encoding="UTF-8"?><M><A>1</A></M>'.encode("utf-16")
    assert "bytes are UTF-16" in _refused(_write(tmp_path, utf16_says_utf8))
    utf8_says_utf16 = b'<?xml version="1.0" encoding="UTF-16"?><M><A>1</A></M>'
    assert "bytes are not UTF-16" in _refused(_write(tmp_path, utf8_says_utf16))
    bom_says_latin1 = codecs.BOM_UTF8 + b'<?xml version="1.0" encoding="ISO-8859-1"?><M/>'
    assert "byte-order mark" in _refused(_write(tmp_path, bom_says_latin1))


def test_exotic_encodings_refused(tmp_path: Path) -> None:
    for enc in ("UTF-7", "klingon", "IBM037"):
        doc = f'<?xml version="1.0" encoding="{enc}"?><M><A>1</A></M>'.encode()
        assert _refused(_write(tmp_path, doc)) == f"line 1: unsupported encoding {enc!r}"


def test_missing_file(tmp_path: Path) -> None:
    assert _refused(tmp_path / "nope.xml").startswith("cannot be read")


@pytest.mark.parametrize(
    ("head", "root"),
    [
        (b'<?xml version="1.0"?>\n<Message><Header>', "Message"),
        (b"\xef\xbb\xbf<!-- a -->\n<?pi x?>\n<EXPSSDA903>", "EXPSSDA903"),
        ('<?xml version="1.0" encoding="UTF-16"?><Message>'.encode("utf-16"), "Message"),
        (b'<cin:Message xmlns:cin="urn:x">', "Message"),
        (b'<!DOCTYPE m [<!ENTITY a "<b>">]>\n<Message>', "Message"),
        (b"<!DOCTYPE Message>\n<Message>", "Message"),
        (b"CHILD,SEX", None),
        (b"<?xml version", None),
        (b"<!-- unterminated", None),
        (b"", None),
    ],
)
def test_sniff_root(head: bytes, root: str | None) -> None:
    assert sniff_root(head) == root
