"""The CRM service functions: the office's client records that returns are matched against.

Reads go through :mod:`crm.queries` (always scoped by office); every write goes through
:class:`crm.writer.RelationWriter` after :mod:`crm.schema` validated it, whether it comes from an
import (:mod:`crm.importer`, :mod:`crm.csv_rows`), a staff edit (:mod:`crm.edits`) or "create
relation from contact" (:mod:`crm.contacts`). Changes that can change a matching decision are
recorded as change events (:mod:`crm.changes`) for the matching step to act on.
"""
