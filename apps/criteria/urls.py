from django.urls import path

from apps.criteria import views, views_attestations, views_catalogue, views_packs

# Mounted at projects/<slug>/criteria/.
urlpatterns = [
    path("", views.criteria_list, name="criteria-list"),
    path("templates/", views.criterion_catalogue, name="criterion-catalogue"),
    path("templates/add/", views.criteria_add_from_templates, name="criteria-add-from-templates"),
    path("templates/import/", views_packs.criterion_pack_import_view, name="criterion-pack-import"),
    path(
        "templates/<int:template_id>/add/",
        views.criterion_add_from_template,
        name="criterion-add-from-template",
    ),
    path("new/", views.criterion_create_view, name="criterion-create"),
    path("<int:pk>/edit/", views.criterion_edit, name="criterion-edit"),
    path("<int:pk>/delete/", views.criterion_delete_view, name="criterion-delete"),
    path(
        "<int:pk>/take-update/",
        views_catalogue.criterion_take_update,
        name="criterion-take-update",
    ),
    path(
        "<int:pk>/answers/",
        views_attestations.attestation_submit_view,
        name="attestation-submit",
    ),
    path(
        "<int:pk>/answers/<int:attestation_id>/accept/",
        views_attestations.attestation_accept_view,
        name="attestation-accept",
    ),
    path(
        "<int:pk>/answers/<int:attestation_id>/send-back/",
        views_attestations.attestation_refuse_view,
        name="attestation-refuse",
    ),
    path(
        "<int:pk>/answers/<int:attestation_id>/download/",
        views_attestations.attestation_evidence,
        name="attestation-evidence",
    ),
]
