"""The beat schedule (register/settings.py) names tasks that exist: a typo there would mean no
reminder and no lapsed draft ever handled, silently."""

from django.conf import settings

from register.celery import app


def test_every_scheduled_task_is_a_registered_task():
    app.loader.import_default_modules()  # the apps' tasks modules, as the worker loads them
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "reviews.tasks.send_deadline_reminders",
        "reviews.tasks.finalise_lapsed_drafts",
    }
    assert scheduled <= set(app.tasks)
