"""Demo data of this app, loaded by `load_demo` after cases and conferences."""

from cooperation.demo import DemoWorld


def load(world: DemoWorld) -> None:
    """Create the fictional demo records (idempotent)."""
