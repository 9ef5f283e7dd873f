from django.urls import path

from apps.notifications import views

urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("<int:pk>/read/", views.notification_read, name="notification-mark-read"),
    path("read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("preferences/", views.preferences, name="notification-preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="notifications-unsubscribe"),
]
