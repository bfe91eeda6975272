"""The results-by-year bar chart on the list page, laid out here and drawn as inline SVG by
``templates/articles/includes/year_chart.html``. Each bar links to the list narrowed to its year."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 320
HEIGHT = 90
LABEL_SPACE = 14  # below the bars, for the first and last year
MAX_BAR = 24  # a few years would otherwise make a few slabs


@dataclass(frozen=True)
class Bar:
    year: int
    count: int
    x: float
    y: float
    width: float
    height: float
    url: str


@dataclass(frozen=True)
class YearChart:
    bars: list[Bar]
    width: int
    height: int
    first_year: int
    last_year: int
    peak: int


def year_chart(years: dict[int, int], query) -> YearChart | None:
    """Bars for every year from the first to the last with results (empty years included, so
    gaps show). ``query`` is the page's QueryDict; each bar's URL sets both year bounds."""
    if not years:
        return None
    first, last = min(years), max(years)
    span = last - first + 1
    peak = max(years.values())
    slot = WIDTH / span
    gap = 1 if slot > 3 else 0
    bars = []
    for year in range(first, last + 1):
        count = years.get(year, 0)
        height = round((HEIGHT - LABEL_SPACE) * count / peak, 1) if count else 0
        params = query.copy()
        params.pop("page", None)
        params["year_from"] = str(year)
        params["year_to"] = str(year)
        width = min(max(slot - gap, 0.5), MAX_BAR)
        bars.append(
            Bar(
                year=year,
                count=count,
                x=round((year - first) * slot + (slot - width) / 2, 2),
                y=round(HEIGHT - LABEL_SPACE - height, 1),
                width=round(width, 2),
                height=height,
                url="?" + params.urlencode(),
            )
        )
    return YearChart(bars, WIDTH, HEIGHT, first, last, peak)
