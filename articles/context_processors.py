from django.http import HttpRequest

from articles.exports.basket import Basket


def basket(request: HttpRequest) -> dict[str, Basket]:
    """The visitor's basket for the site header; lazy, so it costs nothing unless shown."""
    return {"basket": Basket(request.session)}
