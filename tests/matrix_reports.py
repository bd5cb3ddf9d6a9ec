"""Access rows of the reports app; merged into tests/matrix.py.

``ROWS`` follow tests/matrix.py's Row; ``LAZY`` adds world entries built on first use
(key -> function(world, fixture) where ``fixture(name)`` returns a pytest fixture's value).

The committee's statistics are read by the coordination office of the cooperation and by
the committee's members: in the matrix world the Erkelenz caseworker chairs Heinsberg's
committee; Lindenbrück's coordination office reads Lindenbrück's own figures. Everybody
else who is signed in gets a 403, the superuser too (they belong to no cooperation). The
world's case is opened today and so counted in the current half-year, which every URL
shows by default: its reference and the mother's name never appear in a page, PDF or CSV.
"""

from tests.matrix_base import LOGIN, PERSONAS, Row, signed_in


def _rows() -> list:
    readers = {
        **signed_in(403),
        "anonymous": LOGIN,
        **dict.fromkeys(
            ("erkelenz_caseworker", "coordination_office", "lindenbrueck_coordination"), 200
        ),
    }
    no_family = {
        "secret": lambda world: world["case"].reference,
        "hidden_from": tuple(PERSONAS),
        "more_secrets": ((lambda world: "Sabine", tuple(PERSONAS)),),
    }
    return [
        Row("reports:report", readers, **no_family),
        Row("reports:pdf", readers, **no_family),
        Row("reports:csv", readers, **no_family),
    ]


ROWS = _rows()


LAZY = {}
