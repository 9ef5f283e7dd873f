"""The day the tests were collected, and a clock held on it.

Modules that work out expected dates when they are imported (due dates, expiries) compare
them with dates the services take from the clock while a test runs. A run that crosses
midnight would see two different days; the fixture keeps the clock on the collection day.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

TODAY = timezone.localdate()


@pytest.fixture
def clock_on_collection_day():
    """The clock at noon of `TODAY` in the server's time zone, ticking from there."""
    zone = timezone.get_current_timezone()
    noon = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=zone)
    with time_machine.travel(noon, tick=True):
        yield TODAY
