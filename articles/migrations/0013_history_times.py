"""History dates keep the time PubMed stamped them with.

Ingest now stores ``hour`` and ``minute`` with each ``PubMedPubDate`` that has them (PubMed's
own events: entrez, pubmed, medline), which the MEDLINE (.nbib) export prints as PubMed does
("PHST- 2011/08/05 06:00 [pubmed]", "EDAT- 2011/08/05 06:00"). Articles stored before are
left alone by a re-ingest of the same XML, so this step reads the times from the stored
source XML. Only the ``History`` element is parsed; its code is frozen here.
"""

import json

from django.db import migrations
from lxml import etree

BATCH = 1000


def _times(source_xml: str) -> list[tuple[int, int] | None] | None:
    start = source_xml.find("<History>")
    end = source_xml.find("</History>", start)
    if start < 0 or end < 0:
        return None
    history = etree.fromstring(source_xml[start : end + len("</History>")])
    times = []
    for date in history.iterfind("PubMedPubDate"):
        hour, minute = date.findtext("Hour"), date.findtext("Minute")
        if hour and hour.strip().isdigit() and 0 <= int(hour) <= 23:
            minute = int(minute) if minute and minute.strip().isdigit() else 0
            times.append((int(hour), minute if minute <= 59 else 0))
        else:
            times.append(None)
    return times


def add_history_times(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    rows = (
        Article.objects.filter(source_xml__contains="<Hour>")
        .only("pmid", "history", "source_xml")
        .order_by("pmid")
    )
    changed = []
    for article in rows.iterator(chunk_size=BATCH):
        history = article.history
        if isinstance(history, str):
            history = json.loads(history)
        times = _times(article.source_xml)
        if not history or times is None or len(times) != len(history):
            continue
        if any("hour" in entry for entry in history):
            continue
        for entry, time in zip(history, times, strict=True):
            if time is not None:
                entry["hour"], entry["minute"] = time
        article.history = history
        changed.append(article)
        if len(changed) >= BATCH:
            Article.objects.bulk_update(changed, ["history"])
            changed = []
    if changed:
        Article.objects.bulk_update(changed, ["history"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0012_exclusion_reasons")]

    operations = [migrations.RunPython(add_history_times, migrations.RunPython.noop)]
