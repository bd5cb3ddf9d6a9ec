"""The report's charts: SVG drawn on the server by matplotlib, safe to inline.

Only suppressed cells reach this module, so a chart cannot show what the table hides: a
suppressed count gets no bar, only its "<5" label (a bar would give its length away).
The object-oriented ``Figure`` API keeps no global state (no pyplot), so charts may be
drawn in several threads at once. Text stays text (``svg.fonttype: none``, the one
rcParam set, process-wide): a screen reader and a search read it, the SVG is a third of
the size, and drawing takes a tenth of the time of outlined glyphs; browsers and
WeasyPrint render it in DejaVu Sans like the page. matplotlib is imported with this
module, when the URL configuration is loaded (at worker start), never inside a request;
each chart is drawn once per content and language and then read from the cache.

The site's Content Security Policy allows no inline styles: the SVG is rewritten to use
presentation attributes only, without ``<style>``, scripts, comments or metadata, and its
ids are made unique per chart so that several charts can share one page.
"""

import hashlib
import io
import re
import textwrap
import xml.etree.ElementTree as ET  # noqa: S405 (parses our own matplotlib output only)

import matplotlib
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .figures import Table

matplotlib.rcParams["svg.fonttype"] = "none"
# A week: a chart's content decides its key, so an entry never goes stale; the timeout
# only bounds the cache's size.
CACHE_SECONDS = 7 * 24 * 60 * 60

SVG = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

FONT = "DejaVu Sans"
INK = "#1a1a1a"
# Okabe-Ito colours (distinguishable with colour-blindness), hatched for black-and-white
# print.
COLOURS = ("#0072B2", "#E69F00", "#009E73")
HATCHES = ("", "//", "xx")
# CSS properties matplotlib writes into ``style`` that SVG also has as attributes.
PRESENTATION = frozenset(
    {
        "clip-path",
        "clip-rule",
        "color",
        "display",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-weight",
        "opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "visibility",
    }
)
DROPPED_ELEMENTS = frozenset({"metadata", "style", "script", "foreignObject"})
REFERENCE = re.compile(r"url\(#([^)]+)\)")


def figure(table: Table) -> Figure:
    """A horizontal bar chart of the table: one group per row, one bar per column."""
    labels = [textwrap.fill(str(line.label), 34) for line in table.lines]
    columns = [str(column) for column in table.columns]
    series = len(columns)
    height = 0.22 * len(labels) * series + 0.2 * len(labels) + (1.1 if series > 1 else 0.8)
    fig = Figure(figsize=(7.0, height), layout="constrained")
    ax = fig.add_subplot()
    bar = 0.8 / series
    largest = max(
        (cell.value for line in table.lines for cell in line.cells if cell.value), default=0
    )
    for index, column in enumerate(columns):
        positions = [row + (index - (series - 1) / 2) * bar for row in range(len(labels))]
        cells = [line.cells[index] for line in table.lines]
        # Suppressed cells (and zeros) have no bar; their label says what they are.
        ax.barh(
            positions,
            [cell.value or 0 for cell in cells],
            height=bar * 0.9,
            color=COLOURS[index % len(COLOURS)],
            hatch=HATCHES[index % len(HATCHES)],
            edgecolor=INK if HATCHES[index % len(HATCHES)] else "none",
            linewidth=0.5,
            label=column,
        )
        for position, cell in zip(positions, cells, strict=True):
            ax.annotate(
                cell.text,
                (cell.value or 0, position),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                ha="left",
                fontsize=9,
                family=FONT,
                color=INK,
            )
    ax.set_yticks(range(len(labels)), labels, fontsize=9, family=FONT, color=INK)
    ax.invert_yaxis()
    # Room for the labels right of the longest bar; at least the scale up to five.
    ax.set_xlim(0, max(largest, 5) * 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="x", labelsize=8, colors=INK)
    ax.spines[["top", "right"]].set_visible(False)
    if series > 1:
        fig.legend(
            loc="outside upper center",
            ncols=series,
            frameon=False,
            prop={"family": FONT, "size": 8},
        )
    return fig


def svg_markup(fig: Figure, prefix: str, title: str, description: str) -> SafeString:
    """The figure as inline SVG: no style attributes, unique ids, with title and desc."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    root = ET.fromstring(buffer.getvalue())  # noqa: S314 (our own output, see above)
    # Plain tag names and an ``xmlns`` attribute: ElementTree then writes no prefixes,
    # whatever prefixes other libraries registered with it (global state).
    for element in root.iter():
        element.tag = element.tag.removeprefix(f"{{{SVG}}}")
    root.set("xmlns", SVG)
    _clean(root)
    _rename_ids(root, prefix)
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    title_element = ET.Element("title", id=f"{prefix}-title")
    title_element.text = title
    desc_element = ET.Element("desc", id=f"{prefix}-desc")
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    # Everything in it is ours: numbers, labels escaped by ElementTree, no script.
    return mark_safe(ET.tostring(root, encoding="unicode"))  # noqa: S308


def chart_svg(table: Table, prefix: str, description: str) -> SafeString:
    """The table's chart as inline SVG, drawn once per content and language."""
    content = repr(
        (
            get_language(),
            prefix,
            description,
            str(table.title),
            [str(column) for column in table.columns],
            [(str(line.label), [cell.text for cell in line.cells]) for line in table.lines],
        )
    )
    key = "reports:chart:" + hashlib.sha256(content.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = str(svg_markup(figure(table), prefix, str(table.title), description))
        cache.set(key, svg, CACHE_SECONDS)
    # Everything in it is ours (see svg_markup).
    return mark_safe(svg)  # noqa: S308


def _clean(element: ET.Element) -> None:
    for child in list(element):
        if child.tag in DROPPED_ELEMENTS:
            element.remove(child)
        else:
            _clean(child)
    for name in [name for name in element.attrib if name.lower().startswith("on")]:
        del element.attrib[name]
    style = element.attrib.pop("style", None)
    if style:
        for declaration in style.split(";"):
            name, _sep, value = declaration.partition(":")
            name, value = name.strip(), value.strip()
            if name == "font-family":
                # matplotlib lists a dozen fallbacks; the page and the PDF have this one.
                value = f"'{FONT}', sans-serif"
            if name in PRESENTATION and value:
                element.set(name, value)


def _rename_ids(root: ET.Element, prefix: str) -> None:
    elements = list(root.iter())
    names = {}
    for element in elements:
        if "id" in element.attrib:
            names[element.get("id")] = f"{prefix}-{len(names) + 1}"
            element.set("id", names[element.get("id")])
    for element in elements:
        # SVG 2's plain href instead of xlink:href: no second namespace to declare.
        if XLINK_HREF in element.attrib:
            element.set("href", element.attrib.pop(XLINK_HREF))
        for name, value in list(element.attrib.items()):
            if name == "href" and value.startswith("#"):
                element.set(name, "#" + names.get(value[1:], value[1:]))
            elif "url(#" in value:
                element.set(name, REFERENCE.sub(lambda m: f"url(#{names.get(m[1], m[1])})", value))
