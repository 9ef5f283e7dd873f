import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from apps.testplans import services
from apps.testplans.forms import check_params_form, schema_form_field
from apps.testplans.models import PlanCheck, TestPlan
from tests.criteria.factories import CriterionFactory, ProcessCriterionFactory
from tests.findings.factories import ProjectCast

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> ProjectCast:
    return ProjectCast()


@pytest.fixture
def plan(cast) -> TestPlan:
    return services.test_plan_create(project=cast.project, user=cast.qm, name="Release gate")


@pytest.fixture
def fairness(cast):
    return CriterionFactory(
        project=cast.project,
        code="FAIR-01",
        category="fairness",
        check_key="fairness.classification",
        metric="demographic_parity_ratio",
        threshold=0.8,
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name: str, cast: ProjectCast, *args) -> str:
    return reverse(name, args=[cast.project.slug, *args])


def fairness_post(chosen, **changes) -> dict:
    data = {
        "check_key": "fairness.classification",
        "criterion": str(chosen.pk),
        "dataset_roles": ["evaluation"],
        "params-min_group_size": "50",
        "params-columns": "sex, age_band",
        "params-intersections": "",
        "params-alpha": "0.05",
        "params-n_bootstrap": "200",
        "params-confidence_level": "0.9",
        "params-seed": "7",
        "params-positive_label": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# The form generated from a check's schema


def test_each_schema_type_becomes_a_typed_field_with_default_and_bounds():
    integer = schema_form_field("n_bins", {"type": "integer", "default": 10, "minimum": 2})
    number = schema_form_field("alpha", {"type": "number", "default": 0.05, "maximum": 0.5})
    boolean = schema_form_field("include_target", {"type": "boolean", "default": True})
    choice = schema_form_field("method", {"type": "string", "enum": ["auto", "psi"]})
    strings = schema_form_field("increasing", {"type": "array", "items": {"type": "string"}})

    assert isinstance(integer, forms.IntegerField) and integer.min_value == 2
    assert integer.initial == 10 and integer.label == "N bins"
    assert "Default: 10. At least 2." in integer.help_text
    assert isinstance(number, forms.FloatField) and number.max_value == 0.5
    assert isinstance(boolean, forms.BooleanField) and not boolean.required
    assert isinstance(choice, forms.ChoiceField) and choice.choices == [
        ("auto", "auto"),
        ("psi", "psi"),
    ]
    assert strings.clean("a, b ,c") == ["a", "b", "c"]


def test_a_schema_description_becomes_the_help_text():
    field = schema_form_field("k", {"type": "integer", "description": "How many.", "default": 1})

    assert field.help_text.startswith("How many.")


def test_the_params_form_of_a_check_parses_columns_and_labels():
    form = check_params_form(
        "fairness.classification",
        {
            "params-min_group_size": "30",
            "params-columns": "sensitive",
            "params-alpha": "0.05",
            "params-n_bootstrap": "0",
            "params-confidence_level": "0.95",
            "params-seed": "0",
            "params-positive_label": "yes",
        },
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["columns"] == "sensitive"
    assert form.cleaned_data["positive_label"] == "yes"
    assert form.cleaned_data["intersections"] is False


def test_the_params_form_refuses_a_value_out_of_bounds():
    form = check_params_form("calibration.classification", {"params-n_bins": "1"})

    assert not form.is_valid()
    assert "greater than or equal to 2" in str(form.errors["n_bins"])


# The editor's "Add check" form


def test_choosing_a_check_without_javascript_shows_its_parameter_form(cast, plan, fairness):
    response = client_for(cast.qm).get(
        url("plan-detail", cast, plan.pk), {"check": "fairness.classification"}
    )

    body = response.content.decode()
    assert '<label for="id_params-min_group_size">Min group size</label>' in body
    assert 'name="params-min_group_size" value="30" min="1"' in body
    assert 'max="0.999"' in body
    assert f'<option value="{fairness.pk}" selected>' in body  # its criterion preselected
    assert "Add check" in body


def test_the_add_form_and_the_edit_page_say_what_the_check_reads(cast, plan, fairness):
    client = client_for(cast.qm)
    adding = client.get(url("plan-detail", cast, plan.pk), {"check": "fairness.classification"})
    check = services.plan_check_add(user=None, plan=plan, criterion=fairness)
    editing = client.get(url("plan-check-edit", cast, plan.pk, check.pk))

    assert "It reads labels and predictions." in adding.content.decode()
    assert "It reads labels and predictions." in editing.content.decode()


def test_the_htmx_fragment_returns_the_parameter_form(cast, plan, fairness):
    response = client_for(cast.qm).get(
        url("plan-check-params", cast, plan.pk),
        {"check": "drift.columns"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'name="params-method"' in body and '<option value="psi">' in body
    assert "hx-get" not in body


def test_the_fragment_is_refused_to_a_developer(cast, plan):
    response = client_for(cast.dev).get(
        url("plan-check-params", cast, plan.pk), {"check": "drift.columns"}
    )

    assert response.status_code == 403


def test_adding_a_check_stores_the_typed_parameters(cast, plan, fairness):
    response = client_for(cast.qm).post(
        url("plan-check-add", cast, plan.pk), fairness_post(fairness), follow=True
    )

    check = PlanCheck.objects.get(plan=plan)
    assert check.criterion == fairness and check.dataset_roles == ["evaluation"]
    assert check.params["min_group_size"] == 50
    assert check.params["columns"] == ["sex", "age_band"]
    assert check.params["intersections"] is False
    assert check.params["positive_label"] == 1
    assert "Added Classification fairness for FAIR-01" in response.content.decode()


def test_bad_parameters_are_refused_inline_and_nothing_is_added(cast, plan, fairness):
    response = client_for(cast.qm).post(
        url("plan-check-add", cast, plan.pk),
        fairness_post(fairness, **{"params-alpha": "0.9", "params-min_group_size": "many"}),
    )

    body = response.content.decode()
    assert response.status_code == 400
    assert "less than or equal to 0.5" in body
    assert "Enter a whole number." in body
    assert 'value="0.9"' in body  # the user's input is kept
    assert not PlanCheck.objects.exists()


def test_a_criterion_whose_metric_the_check_does_not_report_is_refused(cast, plan, fairness):
    performance = CriterionFactory(project=cast.project)  # roc_auc of performance.classification

    response = client_for(cast.qm).post(
        url("plan-check-add", cast, plan.pk),
        fairness_post(fairness, criterion=str(performance.pk)),
    )

    assert response.status_code == 400
    assert "does not produce" in response.content.decode()
    assert not PlanCheck.objects.exists()


def test_a_criterion_of_another_project_is_refused(cast, plan, fairness):
    elsewhere = CriterionFactory(check_key="fairness.classification")

    response = client_for(cast.qm).post(
        url("plan-check-add", cast, plan.pk), fairness_post(fairness, criterion=str(elsewhere.pk))
    )

    assert response.status_code == 400
    assert not PlanCheck.objects.exists()


def test_an_unknown_check_is_refused(cast, plan, fairness):
    response = client_for(cast.qm).post(
        url("plan-check-add", cast, plan.pk), fairness_post(fairness, check_key="nope.nothing")
    )

    assert response.status_code == 400
    assert "Unknown check" in response.content.decode()


def test_a_developer_cannot_add_a_check(cast, plan, fairness):
    response = client_for(cast.dev).post(
        url("plan-check-add", cast, plan.pk), fairness_post(fairness)
    )

    assert response.status_code == 403
    assert not PlanCheck.objects.exists()


def test_an_outsider_cannot_add_a_check(cast, plan, fairness):
    response = client_for(cast.outsider).post(
        url("plan-check-add", cast, plan.pk), fairness_post(fairness)
    )

    assert response.status_code == 404
    assert not PlanCheck.objects.exists()


def test_adding_to_an_approved_plan_is_refused_with_the_services_message(cast, plan, fairness):
    services.plan_check_add(user=None, plan=plan, criterion=fairness)
    services.test_plan_approve(plan=plan, user=cast.qm)

    response = client_for(cast.qm).post(
        url("plan-check-add", cast, plan.pk), fairness_post(fairness)
    )

    assert response.status_code == 400
    assert "cannot change" in response.content.decode()
    assert plan.checks.count() == 1


# Editing and removing


def test_editing_a_check_changes_its_parameters_and_roles(cast, plan, fairness):
    check = services.plan_check_add(user=None, plan=plan, criterion=fairness)
    client = client_for(cast.qm)
    page = client.get(url("plan-check-edit", cast, plan.pk, check.pk)).content.decode()

    response = client.post(
        url("plan-check-edit", cast, plan.pk, check.pk),
        fairness_post(fairness, dataset_roles=["evaluation", "reference"]),
    )

    check.refresh_from_db()
    assert 'name="params-min_group_size" value="30"' in page  # the stored value, shown
    assert response.status_code == 302
    assert check.params["min_group_size"] == 50
    assert check.dataset_roles == ["evaluation", "reference"]


def test_editing_with_a_bad_parameter_keeps_the_stored_ones(cast, plan, fairness):
    check = services.plan_check_add(
        user=None, plan=plan, criterion=fairness, params={"min_group_size": 30}
    )

    response = client_for(cast.qm).post(
        url("plan-check-edit", cast, plan.pk, check.pk),
        fairness_post(fairness, **{"params-min_group_size": "0"}),
    )

    check.refresh_from_db()
    assert response.status_code == 400
    assert check.params == {"min_group_size": 30}


def test_a_viewer_cannot_edit_a_check(cast, plan, fairness):
    check = services.plan_check_add(
        user=None, plan=plan, criterion=fairness, params={"min_group_size": 30}
    )

    response = client_for(cast.viewer).post(
        url("plan-check-edit", cast, plan.pk, check.pk), fairness_post(fairness)
    )

    check.refresh_from_db()
    assert response.status_code == 403
    assert check.params == {"min_group_size": 30}


def test_removing_a_check(cast, plan, fairness):
    check = services.plan_check_add(user=None, plan=plan, criterion=fairness)

    response = client_for(cast.qm).post(
        url("plan-check-remove", cast, plan.pk, check.pk), follow=True
    )

    assert not PlanCheck.objects.filter(pk=check.pk).exists()
    assert "Removed Classification fairness for FAIR-01" in response.content.decode()


def test_a_developer_cannot_remove_a_check_and_a_get_changes_nothing(cast, plan, fairness):
    check = services.plan_check_add(user=None, plan=plan, criterion=fairness)

    forbidden = client_for(cast.dev).post(url("plan-check-remove", cast, plan.pk, check.pk))
    get = client_for(cast.qm).get(url("plan-check-remove", cast, plan.pk, check.pk))

    assert forbidden.status_code == 403 and get.status_code == 405
    assert PlanCheck.objects.filter(pk=check.pk).exists()


def test_a_check_of_another_plan_is_404(cast, plan, fairness):
    other = services.test_plan_create(project=cast.project, user=cast.qm, name="Other")
    check = services.plan_check_add(user=None, plan=other, criterion=fairness)

    response = client_for(cast.qm).post(url("plan-check-remove", cast, plan.pk, check.pk))

    assert response.status_code == 404
    assert PlanCheck.objects.filter(pk=check.pk).exists()


def test_the_add_form_offers_no_process_criterion_and_refuses_one_posted(cast, plan, fairness):
    process = ProcessCriterionFactory(project=cast.project, code="PROC-01")

    page = client_for(cast.qm).get(
        url("plan-detail", cast, plan.pk), {"check": "fairness.classification"}
    )
    response = client_for(cast.qm).post(
        url("plan-check-add", cast, plan.pk), fairness_post(process)
    )

    assert "PROC-01" not in page.content.decode()
    assert response.status_code == 400
    assert not PlanCheck.objects.exists()
