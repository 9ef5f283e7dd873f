"""The signed-in user's API tokens page; another user's token answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST
from knox.models import AuthToken

from apps.accounts.forms import TokenCreateForm
from apps.accounts.services import api_token_create, api_token_revoke
from apps.projects.views_pagination import page_with_links
from qualiti.errors import NotFound
from qualiti.http import AuthenticatedHttpRequest

TOKENS_PER_PAGE = 50


def _tokens_render(
    request: AuthenticatedHttpRequest,
    *,
    new_token: str = "",
    form: TokenCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    tokens = AuthToken.objects.filter(user=request.user).order_by("-created")
    context = {
        "page": page_with_links(request, tokens, per_page=TOKENS_PER_PAGE),
        "new_token": new_token,
        "form": form or TokenCreateForm(),
    }
    response = render(request, "accounts/api_tokens.html", context, status=status)
    if new_token:
        add_never_cache_headers(response)  # the one answer that carries the secret
    return response


@login_required
@require_GET
def api_tokens(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _tokens_render(request)


@login_required
@require_POST
def api_token_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new token is shown in this answer only (never stored in the session), so the
    page is rendered rather than redirected to."""
    form = TokenCreateForm(request.POST)
    if not form.is_valid():
        return _tokens_render(request, form=form, status=400)
    _, token = api_token_create(user=request.user, days=form.cleaned_data["days"])
    return _tokens_render(request, new_token=token, status=201)


@login_required
@require_POST
def api_token_revoke_view(request: AuthenticatedHttpRequest, token_key: str) -> HttpResponse:
    try:
        api_token_revoke(user=request.user, token_key=token_key)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, f"Token {token_key}… revoked; it no longer opens the API.")
    return redirect("api-tokens")
