"""What every PDF KispFam serves must be, read back with pikepdf (common/pdf.py):
PDF/A-3b, tagged, in its language, with its title, every font embedded."""

import io

import pikepdf
import pypdf


def pages_text(content: bytes) -> list[str]:
    """The text of each page, whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _family(base_font: str) -> str:
    """ "ABCDEF+DejaVu-Sans-BoldOblique" -> "DejaVu-Sans": the family without its style."""
    name = base_font.split("+")[-1]
    for style in ("-BoldOblique", "-BoldItalic", "-Bold", "-Oblique", "-Italic"):
        name = name.removesuffix(style)
    return name


def archival_problems(content: bytes, *, language: str = "de") -> list[str]:
    """Everything that keeps ``content`` from being a tagged PDF/A-3b in ``language``."""
    problems = []
    with pikepdf.open(io.BytesIO(content)) as pdf:
        metadata = pdf.open_metadata()
        if (metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")) != ("3", "B"):
            problems.append("not declared PDF/A-3b in the XMP metadata")
        if not metadata.get("dc:title"):
            problems.append("no title in the metadata")
        root = pdf.Root
        if "/StructTreeRoot" not in root:
            problems.append("no structure tree (not tagged)")
        if not root.get("/MarkInfo", {}).get("/Marked"):
            problems.append("/MarkInfo does not say /Marked")
        if str(root.get("/Lang", "")) != language:
            problems.append(f"/Lang is {root.get('/Lang')!r}, not {language!r}")
        if "/ID" not in pdf.trailer:
            problems.append("no file identifier")
        for number, page in enumerate(pdf.pages, 1):
            fonts = page.get("/Resources", {}).get("/Font", {})
            for name, font in fonts.items():
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font.DescendantFonts[0].get("/FontDescriptor")
                embedded = descriptor is not None and any(
                    key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
                )
                if not embedded:
                    problems.append(
                        f"page {number}: font {name} {font.get('/BaseFont')} not embedded"
                    )
            families = {_family(str(font.get("/BaseFont"))) for font in fonts.values()}
            families.discard("DejaVu-Sans-Mono")
            if len(families) > 1:
                problems.append(f"page {number}: more than one font family: {sorted(families)}")
    return problems
