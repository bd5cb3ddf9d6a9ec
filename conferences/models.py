"""Beteiligtenkonferenzen and Gremium sittings (see the conferences issue)."""
