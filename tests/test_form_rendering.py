"""The form renderer writes inputs and selects in Python: the same string as Django's
templates, for every control of the list's filter form and for the odd cases."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.http import QueryDict
from django.utils.safestring import mark_safe

from articles.browse.filters import ArticleFilter
from articles.form_rendering import FormRenderer
from articles.models import Article

TEMPLATES = DjangoTemplates()
FAST = FormRenderer()


def both(widget: forms.Widget, name: str, value: object) -> tuple[str, str]:
    return (
        widget.render(name, value, renderer=TEMPLATES),
        widget.render(name, value, renderer=FAST),
    )


@pytest.mark.django_db
def test_every_control_of_the_list_form_renders_as_djangos_templates_do():
    assert isinstance(get_default_renderer(), FormRenderer)
    data = QueryDict(
        'term="a & b" <x>&disease=IVIG&year_from=2001&publication_type=D002363'
        "&has_abstract=true&sex=female&sort=relevance&sort_order=asc&language=en%22g"
    )
    for field in ArticleFilter(data, queryset=Article.objects.all()).form:
        value = field.value()
        widget = field.field.widget
        attrs = field.build_widget_attrs({"id": field.auto_id}, widget)
        slow = widget.render(field.html_name, value, attrs=attrs, renderer=TEMPLATES)
        fast = widget.render(field.html_name, value, attrs=attrs, renderer=FAST)
        assert fast == slow, field.name
        assert fast.startswith(("<input", "<select")), field.name


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.TextInput(attrs={"required": True, "disabled": False, "data-x": 'a"b'}), "O'Neil"),
        (forms.NumberInput(attrs={"min": 1}), 2005),
        (forms.NumberInput(), None),
        (forms.TextInput(), ""),
        (forms.TextInput(), mark_safe("<b>kept</b>")),
        (forms.HiddenInput(), 7),
        (forms.EmailInput(attrs={"size": 4}), "a@b.c"),
        (forms.Select(choices=[("", "Any"), ("a&b", "A & B <i>"), (3, "Three")]), "a&b"),
        (forms.Select(choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Z")]), "y"),
        (forms.SelectMultiple(choices=[("x", "X"), ("y", "Y")]), ["x", "y"]),
    ],
)
def test_inputs_and_selects_render_as_djangos_templates_do(widget, value):
    slow, fast = both(widget, "name", value)
    assert fast == slow


def test_a_select_with_number_labels_is_left_to_the_template():
    widget = forms.Select(choices=[(1000, 1000), (2000, 2000)])
    slow, fast = both(widget, "n", 1000)
    assert fast == slow
    assert '<option value="1000" selected>1000</option>' in fast


def test_other_widgets_still_render_through_their_templates():
    widget = forms.CheckboxSelectMultiple(choices=[("x", "X <y>")])
    slow, fast = both(widget, "c", ["x"])
    assert fast == slow
    assert 'type="checkbox"' in fast and "X &lt;y&gt;" in fast
