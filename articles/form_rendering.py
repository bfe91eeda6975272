"""The form renderer (``FORM_RENDERER``): Django's own, except that the plain ``<input>`` and
``<select>`` widgets are written in Python.

Django renders each widget through three to five template includes (the widget, its attrs,
each option and that option's attrs). The list page has 18 controls and the publication-type
select alone ~80 options: about 10 ms of every list request on this machine, a sixth of it.
The output is the same string the templates give (``tests/test_form_rendering.py`` compares
them); any other widget template (the admin's, checkbox lists, dates) still goes through the
templates.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape

_WIDGETS = "django/forms/widgets/"
INPUT_TEMPLATES = {
    f"{_WIDGETS}{name}.html"
    for name in ("input", "text", "number", "search", "email", "url", "password", "hidden", "tel")
}
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"


def _text(value: object) -> str:
    """``{{ value|stringformat:'s' }}`` under autoescaping."""
    return conditional_escape(value if isinstance(value, str) else "%s" % (value,))  # noqa: UP031


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``: ``name="value"``, bare ``name`` for True, nothing
    for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def render_input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def render_select(widget: dict) -> str | None:
    """``select.html`` with its options; None (render by template) when an option has a
    template of its own or a label the template would localize (a number, a date)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if not isinstance(group_name, str | Promise | None):
            return None  # a number or a date: the template would localize it
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION_TEMPLATE or not isinstance(
                option["label"], str | Promise
            ):
                return None
            # The option template's file ends with a newline, which its include keeps.
            parts.append(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return render_input(context["widget"])
        if template_name == SELECT_TEMPLATE:
            rendered = render_select(context["widget"])
            if rendered is not None:
                return rendered
        return super().render(template_name, context, request)
