"""/api/v1/test-plans/ and /api/v1/plan-checks/: versioned test plans and their checks."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.criteria.models import Criterion
from apps.testplans import services
from apps.testplans.models import PlanCheck, TestPlan
from qualiti.api import (
    ProjectScopedMixin,
    ProjectSlugFilter,
    VisibleProjectField,
    VisibleRelatedField,
)
from qualiti.api_schema import filter_help_texts, help_texts
from qualiti.http import request_user


class PlanCheckSerializer(serializers.ModelSerializer):
    plan = VisibleRelatedField(
        model=TestPlan, help_text="Id of the test plan (a draft) it belongs to; fixed once added."
    )
    criterion = VisibleRelatedField(
        model=Criterion, help_text="Id of the project's criterion it checks; fixed once added."
    )
    check_key = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="The engine check to run; the criterion's check when empty.",
    )
    dataset_roles = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The dataset roles the check reads (default: evaluation).",
    )
    params = serializers.DictField(
        required=False,
        help_text="The check's parameters; given at creation, they override the criterion's.",
    )

    class Meta:
        model = PlanCheck
        fields = [
            "id", "plan", "criterion", "check_key", "params", "dataset_roles", "position",
            "criterion_snapshot",
        ]  # fmt: skip
        read_only_fields = ["position", "criterion_snapshot"]
        extra_kwargs = help_texts(
            id="The plan check's id.",
            position="Its place in the plan: 1, 2, 3… in the order checks were added.",
        )


class TestPlanSerializer(serializers.ModelSerializer):
    project = VisibleProjectField(help_text="The project's slug.")
    checks = PlanCheckSerializer(many=True, read_only=True, help_text="The plan's checks.")

    class Meta:
        model = TestPlan
        fields = [
            "id", "project", "name", "version", "description", "status", "previous",
            "approved_by", "approved_at", "created_at", "updated_at", "checks",
        ]  # fmt: skip
        read_only_fields = [
            "version", "status", "previous", "approved_by", "approved_at", "created_at",
            "updated_at",
        ]  # fmt: skip
        extra_kwargs = help_texts(
            id="The id of this version of the plan.",
            name="The plan's name, shared by its versions.",
            version="The version's number: 1, 2, 3…",
            description="What the plan verifies, and why.",
            status="draft (editable), approved (runnable, never changes) or archived.",
            previous="Id of the version it was made from; null for the first.",
            approved_by="Id of who approved it; null until approved.",
            approved_at="When it was approved; null until then.",
            created_at="When this version was made.",
            updated_at="When it last changed.",
        )


class TestPlanUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=200,
        required=False,
        help_text="A new name, for a plan that has a single version only.",
    )
    description = serializers.CharField(
        required=False, allow_blank=True, help_text="What the plan verifies, and why."
    )


@filter_help_texts(
    name="Only the versions of the plan of this name.", status="Only plans in this status."
)
class TestPlanFilter(ProjectSlugFilter):
    class Meta:
        model = TestPlan
        fields = ["project", "name", "status"]


@extend_schema(tags=["test plans"])
@extend_schema_view(
    list=extend_schema(summary="List test plans, each name's newest version first"),
    retrieve=extend_schema(summary="Read a test plan version with its checks"),
    create=extend_schema(summary="Create a test plan (its first draft)"),
)
class TestPlanViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Named, versioned plans: PATCH on an approved version answers 201 with the next draft."""

    serializer_class = TestPlanSerializer
    filterset_class = TestPlanFilter
    ordering_fields = ["created_at", "name", "version"]
    ordering = ["name", "-version"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def base_queryset(self) -> QuerySet[TestPlan]:
        plans = TestPlan.objects.select_related("project").prefetch_related("checks")
        return plans

    def create(self, request: Request) -> Response:
        data = TestPlanSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        plan = services.test_plan_create(user=request_user(request), **data.validated_data)
        return Response(self._read(plan), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Edit a test plan",
        request=TestPlanUpdateSerializer,
        responses={200: TestPlanSerializer, 201: TestPlanSerializer},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """A draft is edited in place (200); editing an approved version makes the next
        draft version, with a copy of its checks (201)."""
        plan = self.get_object()
        data = TestPlanUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        edited = services.test_plan_update(
            plan=plan, user=request_user(request), **data.validated_data
        )
        created = edited.pk != plan.pk
        return Response(
            self._read(edited), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(exclude=True)
    def update(self, request: Request, pk: str) -> Response:
        return self.partial_update(request, pk)

    @extend_schema(summary="Approve a draft test plan", request=None, responses=TestPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """Only a draft with at least one check; the previously approved version of the same
        plan is archived, and each check's criterion is frozen as it is now."""
        plan = self.get_object()
        return Response(
            self._read(services.test_plan_approve(plan=plan, user=request_user(request)))
        )

    @extend_schema(
        summary="Archive a test plan version", request=None, responses=TestPlanSerializer
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        """An archived version is no longer run; archiving it again changes nothing."""
        plan = self.get_object()
        return Response(
            self._read(services.test_plan_archive(plan=plan, user=request_user(request)))
        )

    @extend_schema(
        summary="Start the next draft of a test plan",
        request=None,
        responses={201: TestPlanSerializer},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        """The next draft version of this plan, with a copy of its checks."""
        plan = self.get_object()
        draft = services.test_plan_revise(plan=plan, user=request_user(request))
        return Response(self._read(draft), status=status.HTTP_201_CREATED)

    def _read(self, plan: TestPlan) -> dict:
        return TestPlanSerializer(
            self.get_queryset().get(pk=plan.pk), context={"request": self.request}
        ).data


@filter_help_texts(
    plan="Only the checks of this test plan version (id).",
    check_key="Only checks running this engine check.",
)
class PlanCheckFilter(ProjectSlugFilter):
    class Meta:
        model = PlanCheck
        fields = ["project", "plan", "check_key"]


@extend_schema(tags=["plan checks"])
@extend_schema_view(
    list=extend_schema(summary="List plan checks in plan order"),
    retrieve=extend_schema(summary="Read a plan check"),
    create=extend_schema(summary="Add a check to a draft test plan"),
    partial_update=extend_schema(
        summary="Change a plan check's parameters or dataset roles",
        description="Only in a draft plan; only `params` and `dataset_roles` change.",
    ),
    destroy=extend_schema(summary="Remove a check from a draft test plan"),
)
class PlanCheckViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    project_field = "plan__project"
    serializer_class = PlanCheckSerializer
    filterset_class = PlanCheckFilter
    ordering_fields = ["position", "id"]
    ordering = ["plan", "position", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def base_queryset(self) -> QuerySet[PlanCheck]:
        return PlanCheck.objects.select_related("plan", "plan__project", "criterion")

    def create(self, request: Request) -> Response:
        data = PlanCheckSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        check = services.plan_check_add(user=request_user(request), **data.validated_data)
        return Response(
            PlanCheckSerializer(check, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, pk: str) -> Response:
        check = self.get_object()
        data = PlanCheckSerializer(
            check, data=request.data, partial=True, context={"request": request}
        )
        data.is_valid(raise_exception=True)
        changes = {
            key: data.validated_data[key]
            for key in ("params", "dataset_roles")
            if key in data.validated_data
        }
        check = services.plan_check_update(check=check, user=request_user(request), **changes)
        return Response(PlanCheckSerializer(check, context={"request": request}).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, pk: str) -> Response:
        return self.partial_update(request, pk)

    def destroy(self, request: Request, pk: str) -> Response:
        check = self.get_object()
        services.plan_check_remove(check=check, user=request_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
