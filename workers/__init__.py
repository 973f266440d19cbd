"""Workers: the Celery app, tasks and beat schedule; the only package that knows queues."""
