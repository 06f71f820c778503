"""The API's edge rules on parsed JSON, against plain recursive definitions of what they check."""
import json

from hypothesis import given
from hypothesis import strategies as st

from app.api.input_rules import first_bad_string, nested_deeper_than, printable, text_fault

_texts = st.text(st.characters(codec="utf-8", include_characters="\x00"), max_size=5)  # NUL sometimes
_documents = st.recursive(st.none() | st.booleans() | st.integers() | _texts,
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_texts, inner, max_size=3),
                          max_leaves=30)


def depth(document) -> int:
    if isinstance(document, dict):
        return 1 + max(map(depth, document.values()), default=0)
    if isinstance(document, list):
        return 1 + max(map(depth, document), default=0)
    return 0


def strings(document):
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from strings(value)
    elif isinstance(document, list):
        for value in document:
            yield from strings(value)


@given(_documents, st.integers(0, 8))
def test_a_document_is_too_deep_exactly_when_its_depth_passes_the_limit(document, limit):
    assert nested_deeper_than(document, limit) == (depth(document) > limit)


@given(_documents)
def test_a_bad_string_is_found_exactly_when_one_holds_a_nul(document):
    found = first_bad_string(document)

    assert (found is not None) == any("\x00" in text for text in strings(document))
    if found is not None:
        assert "NUL" in found[1]
        json.dumps(found[0], ensure_ascii=False).encode()  # the place can be shown in any answer


@given(st.text())
def test_printable_text_holds_nothing_text_fault_names(text):
    assert text_fault(printable(text)) is None
    assert printable(text) == text or text_fault(text) is not None


def test_a_lone_surrogate_is_named_with_its_code_point():
    assert text_fault(json.loads('"a\\udc01"')) == "a lone surrogate (U+DC01)"
    assert text_fault(json.loads('"\\ud83d\\ude00"')) is None  # a pair is one character
