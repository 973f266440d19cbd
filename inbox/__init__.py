"""The inbox service functions: receive, process (parse, match, decide), re-decide, staff actions.

The CLI, the Celery tasks and the review API and page all call these with ids; each
runs in the caller's transaction. The rules themselves are in :mod:`matching` (pure); this
package applies their decisions to stored returns and keeps every decision in the history.
"""
