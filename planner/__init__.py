"""The planner: period arithmetic and deadlines as data, planner rules, and the daily run that
creates each future period's workflow before its return arrives (docs/domain.md)."""
