from django.views.generic import DetailView, ListView

from articles.models import Article


class ArticleListView(ListView):
    queryset = Article.objects.visible().for_list()
    paginate_by = 20


class ArticleDetailView(DetailView):
    model = Article
    pk_url_kwarg = "pmid"
