"""Matching: the rules of docs/domain.md as pure functions over plain data, and the one
candidate query."""
