"""docs/install.rst lists exactly what each extra of pyproject.toml installs."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).parents[1]


def _extras():
    """{extra: [requirement names]} from pyproject.toml's optional dependencies."""
    text = (ROOT / "pyproject.toml").read_text()
    block = text.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    extras = {}
    for name, body in re.findall(r"^(\w+) = \[(.*?)\]\s*$", block, flags=re.M | re.S):
        extras[name] = re.findall(r'"([^"]+)"', body)
    return extras


def _names(requirements):
    """Package names, with self-references "skbp[a,b]" expanded to their extras."""
    names, extras = set(), set()
    for requirement in requirements:
        inner = re.fullmatch(r"skbp\[(.*)\]", requirement)
        if inner:
            extras.update(inner[1].split(","))
        else:
            names.add(re.split(r"[<>=!~; ]", requirement, maxsplit=1)[0].lower())
    return names, extras


def _table():
    """{extra: installs-cell text} from docs/install.rst's extras table."""
    text = (ROOT / "docs" / "install.rst").read_text()
    rows = re.findall(r"   \* - ``(\w+)``\n     - (.*?)\n     - ", text, flags=re.S)
    return {name: " ".join(cell.split()) for name, cell in rows}


EXTRAS = _extras()


def test_every_extra_is_in_the_table_and_no_other():
    assert set(_table()) == set(EXTRAS)


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_the_table_names_what_the_extra_installs(extra):
    cell = _table()[extra]
    names, included = _names(EXTRAS[extra])
    for name in names:
        assert name in cell, f"{extra}: {name} missing from docs/install.rst"
    if "every feature extra" in cell:
        assert included == set(EXTRAS) - {"examples", "test", "docs", "dev", "compare"}, extra
    else:
        for name in included:
            assert f"``{name}``" in cell, (extra, name)
