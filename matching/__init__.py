"""Matching: the rules of DESIGN.md section 4 as pure functions over plain data, and the one
candidate query."""
