"""Access rows of the agreements app; merged into tests/matrix.py.

``ROWS`` follow tests/matrix.py's Row; ``LAZY`` adds world entries built on first use
(key -> function(world, fixture) where ``fixture(name)`` returns a pytest fixture's value).
"""

ROWS = []
LAZY = {}
