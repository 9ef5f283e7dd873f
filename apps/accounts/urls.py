from django.contrib.auth import views as auth_views
from django.urls import path

from django.http import HttpResponse


def _todo(request, **kwargs):  # placeholder until the page is built
    return HttpResponse("todo")


urlpatterns = [
    path("notifications/", _todo, name="notifications"),
    path("tokens/", _todo, name="api-tokens"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
