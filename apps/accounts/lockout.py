"""The answer to a login attempt that django-axes locked out: 429, with when to try again.

The same words on the login page and from the API's token endpoint; `Retry-After` says
the cool-off in seconds. Each attempt during a lockout starts the cool-off again, so the
whole cool-off is what is left.
"""

import math

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

LOCKED_OUT_STATUS = 429


def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    minutes = max(1, math.ceil(lockout_seconds() / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Too many failed attempts, try again in {minutes} {unit}."


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    message = lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "locked_out"}, status=LOCKED_OUT_STATUS)
    else:
        form = AuthenticationForm(request)
        context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
        response = render(request, "accounts/login.html", context, status=LOCKED_OUT_STATUS)
    response["Retry-After"] = str(lockout_seconds())
    return response
