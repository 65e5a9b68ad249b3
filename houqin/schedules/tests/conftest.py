import pytest

from houqin.accounts.roles import Position
from houqin.org.tests.factories import TermFactory
from houqin.schedules import heartbeat, jobs
from houqin.schedules.tests.factories import ScheduleFactory


@pytest.fixture
def notified(monkeypatch):
    """Records every notify() call instead of sending: a list of the calls' kwargs, with
    the recipients under "recipients"."""
    calls = []

    def fake_notify(recipients, **kwargs):
        calls.append({"recipients": list(recipients), **kwargs})
        return []

    monkeypatch.setattr("houqin.notifications.services.notify", fake_notify)
    return calls


@pytest.fixture
def term(school):
    return TermFactory(school=school, academic_year__school=school)


@pytest.fixture
def class_teacher(school, make_staff):
    return make_staff(school, Position.CLASS_TEACHER, name="李老师")


@pytest.fixture
def friday_reminder(school, term, class_teacher):
    """每周五 07:30, to the class teachers, on teaching days."""
    return ScheduleFactory(school=school, name="每周五安全教育")


@pytest.fixture
def job_registry():
    """Restores the job registry after a test registers its own jobs."""
    saved = dict(jobs._jobs)
    yield jobs
    jobs._jobs.clear()
    jobs._jobs.update(saved)


@pytest.fixture
def heartbeat_callbacks():
    saved = list(heartbeat._callbacks)
    yield heartbeat
    heartbeat._callbacks[:] = saved
