from django.http import Http404
from django.template.response import TemplateResponse
from django.views.generic import DetailView
from django_filters.views import FilterView

from articles.citations import number_affiliations
from articles.filters import ArticleFilter
from articles.models import Article, Author, DeletedCitation

PER_PAGE_CHOICES = (10, 20, 50, 100, 200)

# CommentsCorrections types that warn a reader off the article, in PubMed's banner order.
NOTICE_TYPES = {
    "RetractionIn": "Retraction",
    "ExpressionOfConcernIn": "Expression of concern",
    "ErratumIn": "Erratum",
}


class ArticleListView(FilterView):
    queryset = Article.objects.visible().for_list().order_by("-pub_date", "-pmid")
    filterset_class = ArticleFilter
    paginate_by = 20
    template_name = "articles/article_list.html"

    def get_paginate_by(self, queryset):
        per_page = self.request.GET.get("per_page", "")
        if per_page.isdigit() and int(per_page) in PER_PAGE_CHOICES:
            return int(per_page)
        return self.paginate_by

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["per_page_choices"] = PER_PAGE_CHOICES
        context["per_page"] = self.get_paginate_by(None)
        page = context["page_obj"]
        if page is not None:
            context["page_range"] = page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            )
        return context


class ArticleDetailView(DetailView):
    queryset = Article.objects.for_detail()
    pk_url_kwarg = "pmid"

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            tombstone = DeletedCitation.objects.filter(pk=kwargs["pmid"]).first()
            if tombstone is None:
                raise
            return self.gone(tombstone.pmid, tombstone.deleted_at)
        if self.object.is_deleted:
            return self.gone(self.object.pmid, self.object.deleted_at)
        return self.render_to_response(self.get_context_data(object=self.object))

    def gone(self, pmid, deleted_at):
        context = {"pmid": pmid, "deleted_at": deleted_at}
        return TemplateResponse(self.request, "articles/article_gone.html", context, status=410)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        authors = [a for a in article.authors.all() if a.role == Author.Role.AUTHOR]
        context["byline"] = number_affiliations(authors)
        context["editors"] = [a for a in article.authors.all() if a.role == Author.Role.EDITOR]
        context["investigators"] = [
            a for a in article.authors.all() if a.role == Author.Role.INVESTIGATOR
        ]
        context["notices"] = [
            (label, cc)
            for ref_type, label in NOTICE_TYPES.items()
            for cc in article.comments_corrections.all()
            if cc.ref_type == ref_type
        ]
        return context
