"""Sphinx configuration for the skbp documentation.

Build the site with::

    python -m sphinx -W -b html docs docs/_build/html

Environment variables
---------------------
SKBP_DOCS_NO_EXAMPLES=1
    Render the example gallery without executing the example scripts (fast
    build: the pages show the code but no figures or output).
SKBP_DOCS_INTERSPHINX=1
    Link to the NumPy, SciPy, scikit-learn, Python and joblib documentation.
    This needs network access at build time, so it is off by default: a failed
    inventory fetch is a warning, which ``-W`` turns into an error.
"""

import os
import re
import sys
from pathlib import Path

from docutils.parsers.rst import Directive, directives
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# Make ``import skbp`` work from a source checkout that was not pip-installed.
sys.path.insert(0, str(ROOT))


def _env_flag(name):
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


# -- Project information -----------------------------------------------------

project = "skbp"
author = "The skbp developers"
copyright = "2025, The skbp developers"

try:
    import skbp

    release = getattr(skbp, "__version__", "0.1.0")
except ImportError:  # the documentation of the guides still builds
    release = "0.1.0"
version = ".".join(release.split(".")[:2])

# -- General configuration ---------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"
language = "en"

# -- autodoc / autosummary / numpydoc ----------------------------------------

autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"

# numpydoc renders the "Attributes" and "Methods" sections itself; listing
# the class members again through autosummary would create stub warnings.
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# -- intersphinx -------------------------------------------------------------
# The build machine has no network access: an empty mapping means that no
# inventory is fetched (and no warning is emitted).

intersphinx_mapping = {}
if _env_flag("SKBP_DOCS_INTERSPHINX"):
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable/", None),
        "scipy": ("https://docs.scipy.org/doc/scipy/", None),
        "sklearn": ("https://scikit-learn.org/stable/", None),
        "joblib": ("https://joblib.readthedocs.io/en/stable/", None),
        "matplotlib": ("https://matplotlib.org/stable/", None),
    }
intersphinx_timeout = 10

# -- sphinx-gallery ----------------------------------------------------------

EXAMPLES_DIR = ROOT / "examples"
_HEADER_NAMES = ("GALLERY_HEADER.rst", "GALLERY_HEADER.txt", "README.rst", "README.txt")
HAS_GALLERY = EXAMPLES_DIR.is_dir() and any(
    (EXAMPLES_DIR / name).is_file() for name in _HEADER_NAMES
)

if HAS_GALLERY:
    sphinx_gallery_conf = {
        "examples_dirs": "../examples",
        "gallery_dirs": "auto_examples",
        "filename_pattern": r"/plot_",
        "plot_gallery": not _env_flag("SKBP_DOCS_NO_EXAMPLES"),
        "download_all_examples": False,
        "remove_config_comments": True,
        "within_subsection_order": "FileNameSortKey",
        "doc_module": ("skbp",),
        "backreferences_dir": "gen_modules/backreferences",
        "reference_url": {"skbp": None},
        "matplotlib_animations": False,
        "image_scrapers": ("matplotlib",),
        "show_memory": False,
        "min_reported_time": 1,
    }
    if sphinx_gallery_conf["plot_gallery"]:
        # The examples train small networks, where a BLAS thread per core mostly
        # waits on the others, and on a busy machine busy-waits: run with the
        # default threads on a loaded 2-core machine, plot_initializers.py took
        # 153 s, with one thread 23 s. The gallery runs in this process, so one
        # limit covers every example; SciPy's own OpenBLAS is loaded first so
        # that the limit reaches it too. Run by hand, they keep the default.
        import scipy.linalg  # noqa: F401
        from threadpoolctl import threadpool_limits

        _GALLERY_BLAS_LIMIT = threadpool_limits(limits=1, user_api="blas")
else:
    # Without a gallery header sphinx-gallery refuses to build; keep the rest of
    # the site buildable (for instance from an sdist that has no examples).
    extensions.remove("sphinx_gallery.gen_gallery")
    exclude_patterns.append("auto_examples")
    # The guides link to gallery pages, which do not exist in this mode.
    suppress_warnings = ["ref.ref", "ref.doc"]

# -- HTML output -------------------------------------------------------------

html_theme = "alabaster"
html_title = f"skbp {release}"
html_short_title = "skbp"
html_theme_options = {
    "description": "Backpropagation, by hand, behind a scikit-learn estimator",
    "fixed_sidebar": True,
    "show_relbars": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
    "extra_nav_links": {},
}
html_sidebars = {
    "**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]
}
html_static_path = []
html_show_sourcelink = False
html_last_updated_fmt = None


def _drop_gallery_from_toctree(app, docname, source):
    """Remove the gallery entry from the index toctree when there is no gallery."""
    if docname == "index":
        source[0] = "\n".join(
            line
            for line in source[0].splitlines()
            if line.strip() != "auto_examples/index"
        )


class _NoMiniGallery(Directive):
    """Stand-in for sphinx-gallery's ``minigallery`` when the gallery is off."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {
        "add-heading": directives.unchanged,
        "heading-level": directives.single_char_or_unicode,
    }

    def run(self):
        return []


_SHAPE = re.compile(r"of shape \(([^()]*)\)")
_BARE_TRAILING_UNDERSCORE = re.compile(r"(?<![`\w])([A-Za-z]\w*_)(?![`\w{])")


def _quote_shape_names(app, what, name, obj, options, lines):
    """Quote fitted-attribute names in "of shape (n_features_in_,)".

    In reStructuredText a bare word ending with "_" is a hyperlink reference,
    which would fail with "Unknown target name". numpydoc parses the type of a
    parameter or attribute as reStructuredText, so protect such names.
    """

    def quote(match):
        inside = _BARE_TRAILING_UNDERSCORE.sub(r"``\1``", match.group(1))
        return f"of shape ({inside})"

    lines[:] = [_SHAPE.sub(quote, line) for line in lines]


_METADATA_ROUTING = re.compile(r"^(set_\w+_request|get_metadata_routing)$")


def _skip_metadata_routing(app, what, name, obj, skip, options):
    """Leave scikit-learn's metadata-routing helpers out of the API pages.

    ``set_fit_request`` and friends are generated by scikit-learn for every
    estimator; their docstrings point into scikit-learn's own user guide.
    """
    if _METADATA_ROUTING.match(name):
        return True
    return None


_SKLEARN_XREF = re.compile(r":(?:ref|term):`(?:([^`<]*?)\s*<[^`>]*>|([^`]*))`")


def _unlink_inherited_sklearn_refs(app, what, name, obj, options, lines):
    """Turn ``:ref:``/``:term:`` roles of inherited scikit-learn docstrings into text.

    Methods such as ``score`` or ``get_params`` are inherited from scikit-learn
    and their docstrings point to labels of scikit-learn's own documentation,
    which do not exist here (and intersphinx is off without network).
    """
    module = getattr(obj, "__module__", None) or ""
    if not module.startswith("sklearn"):
        return
    lines[:] = [
        _SKLEARN_XREF.sub(lambda m: m.group(1) or m.group(2), line) for line in lines
    ]


def setup(app):
    app.connect("autodoc-process-docstring", _unlink_inherited_sklearn_refs)
    app.connect("autodoc-skip-member", _skip_metadata_routing)
    app.connect("autodoc-process-docstring", _quote_shape_names, priority=100)
    if not HAS_GALLERY:
        logger.info(
            "skbp docs: no examples/README.rst found, the example gallery is skipped"
        )
        app.connect("source-read", _drop_gallery_from_toctree)
        app.add_directive("minigallery", _NoMiniGallery)
