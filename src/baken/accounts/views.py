"""Pages of the functioneel beheerder, and the first-run setup page. Views only route.

Every management page is for an active functioneel beheerder only: anyone else who is
logged in gets 404 (the page might as well not exist), anonymous visitors go to the login
page. Changes go through :mod:`baken.accounts.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from baken.accounts import selectors, services
from baken.accounts import setup as first_run
from baken.accounts.forms import OrganisationForm, SetupForm, UserCreateForm, UserRoleForm
from baken.accounts.models import User
from baken.accounts.two_factor import has_authenticator_app, sensitive
from baken.web import keyset

SECTION = "manage"
ORGANISATIONS, USERS = "organisaties_", "gebruikers_"
"""The query prefixes of the two lists' places on the management page."""
WELCOME_SESSION_KEY = "baken.welcome_first_administrator"
"""Set at first-run set-up; the welcome shows on the management page after 2FA set-up."""

View = Callable[..., HttpResponse]


def administrator_required(view: View) -> View:
    """Only for an active functioneel beheerder: 404 for other users, login for anonymous."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "is_administrator", False):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _administrator(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_safe
@administrator_required
def manage(request: HttpRequest) -> HttpResponse:
    """The organisations and the users, with what the functioneel beheerder can do to them.

    Both lists are paged by keyset, 25 a page, each with its own place in the query
    (``organisaties_na`` and ``gebruikers_na``, and ``_voor``), so paging one keeps the
    other where it was. The first administrator is welcomed here once two-factor
    authentication is set up, not before: until then the set-up page is all they can
    reach."""
    if WELCOME_SESSION_KEY in request.session and has_authenticator_app(request.user):
        request.session.pop(WELCOME_SESSION_KEY)
        messages.success(
            request,
            _("Welcome, %(username)s. Start by adding the organisations and their users.")
            % {"username": request.user.get_username()},
        )
    organisations = selectors.organisations_page(**keyset.tokens(request.GET, ORGANISATIONS))
    users = selectors.users_page(**keyset.tokens(request.GET, USERS))
    return render(
        request,
        "accounts/manage.html",
        {
            "section": SECTION,
            "organisations": organisations.rows,
            "organisation_pages": keyset.pager(request.GET, organisations, ORGANISATIONS),
            "users": users.rows,
            "user_pages": keyset.pager(request.GET, users, USERS),
            "break_glass_open": selectors.open_grants(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.create_organisation(
            by=_administrator(request),
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
        )
        messages.success(
            request, _("Organisation “%(name)s” created.") % {"name": organisation.name}
        )
        return redirect("accounts:manage")
    return render(request, "accounts/organisation_form.html", {"section": SECTION, "form": form})


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.create_user(
            by=_administrator(request),
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=data["role"],
            organisation=data["organisation"],
            password=data["password1"],
        )
        messages.success(request, _("User “%(username)s” created.") % {"username": user.username})
        return redirect("accounts:manage")
    return render(request, "accounts/user_form.html", {"section": SECTION, "form": form})


@require_POST
@administrator_required
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a user (never delete: dossiers keep pointing at them)."""
    user = get_object_or_404(User, pk=pk)
    try:
        services.deactivate_user(by=_administrator(request), user=user)
    except services.ManagementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("User “%(username)s” deactivated: they can no longer log in.")
            % {"username": user.username},
        )
    return redirect("accounts:manage")


@require_POST
@administrator_required
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    services.reactivate_user(by=_administrator(request), user=user)
    messages.success(
        request,
        _("User “%(username)s” reactivated: they can log in again.") % {"username": user.username},
    )
    return redirect("accounts:manage")


@require_http_methods(["GET", "HEAD", "POST"])
@administrator_required
def user_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a user's role or organisation (a sensitive action: confirm access first)."""
    get_object_or_404(User, pk=pk)
    return _user_role(request, pk)


@sensitive
def _user_role(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    form = UserRoleForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(
                by=_administrator(request),
                user=User.objects.get(pk=pk),
                role=form.cleaned_data["role"],
                organisation=form.cleaned_data["organisation"],
            )
        except services.ManagementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("The role of “%(username)s” has been changed.") % {"username": account.username},
            )
            return redirect("accounts:manage")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "accounts/user_role.html",
        # After a refused POST the form has changed ``account``: show it as stored.
        {
            "section": SECTION,
            "form": form,
            "account": User.objects.get(pk=pk) if request.method == "POST" else account,
        },
        status=status,
    )


@require_POST
@administrator_required
def user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """Reset a user's two-factor authentication (a lost phone): they set it up again."""
    get_object_or_404(User, pk=pk)
    return _user_reset_two_factor(request, pk)


@sensitive
def _user_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User, pk=pk)
    try:
        services.reset_two_factor(by=_administrator(request), user=account)
    except services.ManagementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Two-factor authentication of “%(username)s” has been reset: they set it up "
                "again when they next log in."
            )
            % {"username": account.username},
        )
    return redirect("accounts:manage")


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "HEAD", "POST"])
def setup(request: HttpRequest, token: str) -> HttpResponse:
    """First run: create the first functioneel beheerder with the link ``baken serve`` printed.

    404 unless the request comes from this machine, the token is unused and no user exists.
    """
    if not first_run.from_this_machine(request) or not first_run.token_is_usable(token):
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = first_run.create_first_administrator(
                token=token,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        except first_run.SetupUnavailable:
            raise Http404 from None
        login(request, user, backend="baken.web.auth.ModelBackend")
        request.session[WELCOME_SESSION_KEY] = True
        return redirect("accounts:manage")
    return render(request, "accounts/setup.html", {"section": SECTION, "form": form})
