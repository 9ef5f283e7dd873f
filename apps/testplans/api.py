from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
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
from qualiti.http import request_user


class PlanCheckSerializer(serializers.ModelSerializer):
    plan = VisibleRelatedField(model=TestPlan)
    criterion = VisibleRelatedField(model=Criterion)
    check_key = serializers.CharField(max_length=100, required=False, allow_blank=True)
    dataset_roles = serializers.ListField(child=serializers.CharField(), required=False)
    params = serializers.DictField(required=False)

    class Meta:
        model = PlanCheck
        fields = [
            "id", "plan", "criterion", "check_key", "params", "dataset_roles", "position",
            "criterion_snapshot",
        ]  # fmt: skip
        read_only_fields = ["position", "criterion_snapshot"]


class TestPlanSerializer(serializers.ModelSerializer):
    project = VisibleProjectField()
    checks = PlanCheckSerializer(many=True, read_only=True)

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


class TestPlanUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class TestPlanFilter(ProjectSlugFilter):
    class Meta:
        model = TestPlan
        fields = ["project", "name", "status"]


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
        request=TestPlanUpdateSerializer,
        responses={200: TestPlanSerializer, 201: TestPlanSerializer},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
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

    @extend_schema(request=None, responses=TestPlanSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        return Response(
            self._read(services.test_plan_approve(plan=plan, user=request_user(request)))
        )

    @extend_schema(request=None, responses=TestPlanSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        return Response(
            self._read(services.test_plan_archive(plan=plan, user=request_user(request)))
        )

    @extend_schema(request=None, responses={201: TestPlanSerializer})
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


class PlanCheckFilter(ProjectSlugFilter):
    class Meta:
        model = PlanCheck
        fields = ["project", "plan", "check_key"]


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
