from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kinship.core.errors import Invalid
from kinship.core.ratelimit import client_address
from kinship.search import queries, querytext


def search(request: HttpRequest) -> HttpResponse:
    """The search page: an empty form until there is something to look for, then one page of results."""
    query = querytext.normalise(request.GET.get("q", ""))
    raw_type = request.GET.get("type", "")
    ctx: dict[str, object] = {
        "query": query,
        "type": raw_type if raw_type in queries.TYPES else "",
        "type_choices": queries.TYPE_CHOICES,
        "page": None,
        "error": None,
        "signed_in": request.user.is_authenticated,
        "max_results": queries.MAX_RESULTS,
    }
    if not query:
        return render(request, "search/search.html", ctx)
    try:
        kind = queries.clean_type(raw_type)
        queries.check_rate(request.user, client_address(request))
        page = queries.search(request.user, query, type=kind, cursor=request.GET.get("cursor"))
    except Invalid as error:
        ctx["error"] = error.detail
        return render(request, "search/search.html", ctx, status=422)
    ctx["page"] = page
    ctx["type_label"] = dict(queries.TYPE_CHOICES).get(kind or "", "")
    return render(request, "search/search.html", ctx)
