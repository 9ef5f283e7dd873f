"""Share links: the public /shared/ paths and a report's links page (under reports/<id>/)."""

from django.urls import path, re_path

from apps.reports import views_sharing

# Under shared/: a link, its PDF, and one answer for every other path.
shared_urlpatterns = [
    path("<str:token>/", views_sharing.shared_report, name="report-shared"),
    path(
        "<str:token>/pdf/", views_sharing.shared_report, {"format": "pdf"}, name="report-shared-pdf"
    ),
    re_path(r"^(?P<rest>.*)$", views_sharing.shared_nothing),
]

# Under reports/<int:report_pk>/shares/.
urlpatterns = [
    path("", views_sharing.report_shares, name="report-shares"),
    path("new/", views_sharing.report_share_create_view, name="report-share-create"),
    path("<int:pk>/revoke/", views_sharing.report_share_revoke_view, name="report-share-revoke"),
]
