"""Saved searches of signed-in users: save the list's query, list, switch alerts, delete.
Plain POST forms with CSRF tokens; the feed is in ``feeds``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from articles.alerts import searches
from articles.models import SavedSearch


@login_required
@require_POST
def save(request):
    """Save the list page's query string under a name; back to the list, saying so."""
    text = request.POST.get("query", "")
    name = " ".join(request.POST.get("name", "").split())[:100]
    back = f"{reverse('articles:list')}?{searches.filters_of(text)}".rstrip("?")
    if not name:
        messages.error(request, "Give the search a name to save it.")
        return redirect(back)
    try:
        saved = searches.save(request.user, name, text)
    except searches.InvalidSearch as error:
        messages.error(request, f"Not saved: {error}")
        return redirect(back)
    messages.success(
        request,
        f"Saved “{saved.name}”. New matches will be listed in its feed"
        + (
            " and e-mailed to you."
            if request.user.email
            else "; add an e-mail address to get them by mail."
        ),
    )
    return redirect(back)


@login_required
@require_safe
def saved_list(request):
    saved = list(SavedSearch.objects.filter(user=request.user).order_by("name"))
    rows = []
    for search in saved:
        try:
            new = searches.new_matches(search).count()
        except searches.InvalidSearch:
            new = None
        rows.append(
            (
                search,
                new,
                request.build_absolute_uri(reverse("alerts:feed", args=[search.feed_token])),
            )
        )
    context = {"rows": rows, "has_email": bool(request.user.email)}
    return TemplateResponse(request, "alerts/saved_searches.html", context)


@login_required
@require_POST
def set_alerts(request, pk: int):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.email_alerts = request.POST.get("email_alerts") == "on"
    saved.save(update_fields=["email_alerts"])
    state = "on" if saved.email_alerts else "off"
    messages.success(request, f"E-mail alerts for “{saved.name}” are {state}.")
    return redirect("alerts:saved")


@login_required
@require_POST
def delete(request, pk: int):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, f"Deleted “{saved.name}”; its feed is gone too.")
    return redirect("alerts:saved")
