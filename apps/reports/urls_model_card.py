"""A model version's model card, under its page: /projects/<slug>/uploads/models/<pk>/."""

from django.urls import path

from apps.reports import views_model_card

urlpatterns = [
    path(
        "model-card.md", views_model_card.model_card_markdown_download, name="model-card-markdown"
    ),
    path("model-card/pdf/", views_model_card.model_card_pdf_request, name="model-card-pdf-request"),
    path(
        "model-card/pdf/status/",
        views_model_card.model_card_pdf_status,
        name="model-card-pdf-status",
    ),
]
