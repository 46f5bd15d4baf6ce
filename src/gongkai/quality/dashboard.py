"""The data-quality dashboard: one self-contained HTML page (inline CSS and SVG, no CDN).

Built from the warehouse after each validation run: headline counts, the share of reports
failing each rule, the share flagged by province and year, the flagged reports with their
failing cells and source links, and a drill-down per flagged report showing table 三 with
the cells each failing rule compared (hover a cell for where it was printed).
"""

from __future__ import annotations

import html
import json
import os
from collections import defaultdict
from pathlib import Path

import duckdb

from gongkai import formats as F
from gongkai.quality.rules import RULES
from gongkai.warehouse.sqlfiles import sql_text

DEFAULT_DASHBOARD_DIR = Path("data/dashboard")
MAX_DRILLDOWNS = 300  # beyond this, the table still lists every flagged report
MAX_LISTED = 2000  # failing reports listed on the page (v_quality has them all)
_I1_ROWS = {"new_received", "carried_over", "total", "carried_forward"}

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:0;color:#1d2733;background:#f5f7fa}
header{background:#1f3b57;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;opacity:.85;font-size:13px}main{padding:20px 28px;max-width:1280px}
.cards{display:flex;gap:14px;flex-wrap:wrap;margin-bottom:18px}
.card{background:#fff;border-radius:8px;padding:12px 18px;min-width:150px;box-shadow:0 1px 3px #0002}
.card b{display:block;font-size:26px}.card.bad b{color:#b3261e}.card.ok b{color:#1b7f3b}
section.panel{background:#fff;border-radius:8px;padding:14px 18px;margin-bottom:18px;box-shadow:0 1px 3px #0002}
h2{font-size:17px;margin:0 0 10px}table{border-collapse:collapse;font-size:13px;width:100%}
th,td{border:1px solid #d5dbe3;padding:4px 7px;text-align:left;vertical-align:top}th{background:#eef2f7}
td.num{text-align:right;font-variant-numeric:tabular-nums}td.fail{background:#fbd3cf;font-weight:bold}
td.blank{color:#8a96a3}.tag{display:inline-block;border-radius:4px;padding:1px 6px;margin:1px;font-size:12px}
.tag.error{background:#b3261e;color:#fff}.tag.warning{background:#e8a317;color:#1d2733}.tag.pass{background:#1b7f3b;color:#fff}
.heat td{text-align:center}.muted{color:#6b7785;font-size:12px}details{margin:8px 0}
summary{cursor:pointer;font-weight:bold}a{color:#1f5fa8}
.filters{display:flex;gap:8px;flex-wrap:wrap;margin:0 0 10px}.filters input,.filters select{font:inherit;padding:4px 6px}
.filters input{flex:1;min-width:220px}#more{margin-top:8px}
"""

# Search and filters over the failing reports, inline (no CDN, works from file://). The rows
# live in an inline JSON array and are rendered 200 at a time, so 100,000 reports stay fast:
# one pass over precomputed lower-case haystacks per keystroke (debounced), no DOM per row.
# The search and filters can also be set from the URL (#q=乡宁&rule=I1&year=2021&province=…).
_JS = r"""
(function(){
var t0=performance.now();
var data=JSON.parse(document.getElementById('report-data').textContent);
var rows=data.rows,PAGE=200,limit=PAGE,timer=null;
var q=document.getElementById('q'),fr=document.getElementById('f-rule'),fy=document.getElementById('f-year'),
    fp=document.getElementById('f-province'),fk=document.getElementById('f-kind'),
    body=document.getElementById('report-rows'),count=document.getElementById('match-count'),
    more=document.getElementById('more');
function esc(s){return String(s==null?'':s).replace(/[&<>"']/g,function(c){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c];});}
for(var i=0;i<rows.length;i++){var r=rows[i];
  r.hay=[r.agency,r.year,r.place,r.file,r.details,r.rules.map(function(x){return x[0];}).join(' ')].join(' ').toLowerCase();}
function rowHtml(r){
  var tags=r.rules.map(function(x){return '<span class="tag '+esc(x[1])+'">'+esc(x[0])+'</span>';}).join('');
  return '<tr class="'+r.kind+'" data-report="'+esc(r.id)+'"><td><a href="#r-'+esc(r.id)+'">'+esc(r.agency||'（未识别机构）')+
    '</a></td><td>'+esc(r.year)+'</td><td>'+esc(r.place)+'</td><td>'+tags+'</td><td>'+esc(r.details)+
    '</td><td><a href="'+esc(r.link)+'">'+esc(r.file)+'</a></td></tr>';}
function render(){
  var terms=q.value.trim().toLowerCase().split(/\s+/).filter(Boolean),out=[],n=0;
  for(var i=0;i<rows.length;i++){var r=rows[i];
    if(fr.value&&!r.rules.some(function(x){return x[0]===fr.value;}))continue;
    if(fy.value&&String(r.year)!==fy.value)continue;
    if(fp.value&&r.province!==fp.value)continue;
    if(fk.value&&r.kind!==fk.value)continue;
    var ok=true;for(var j=0;j<terms.length;j++){if(r.hay.indexOf(terms[j])<0){ok=false;break;}}
    if(!ok)continue;n++;if(out.length<limit)out.push(rowHtml(r));}
  body.innerHTML=out.join('');
  count.textContent=n===rows.length?(n+' reports'):(n+' of '+rows.length+' reports match');
  more.style.display=n>limit?'':'none';more.textContent='show '+Math.min(PAGE,n-limit)+' more (of '+(n-limit)+')';}
function changed(){limit=PAGE;clearTimeout(timer);timer=setTimeout(function(){render();
  var h=[];if(q.value)h.push('q='+encodeURIComponent(q.value));if(fr.value)h.push('rule='+encodeURIComponent(fr.value));
  if(fy.value)h.push('year='+encodeURIComponent(fy.value));if(fp.value)h.push('province='+encodeURIComponent(fp.value));
  if(fk.value)h.push('kind='+encodeURIComponent(fk.value));history.replaceState(null,'',h.length?'#'+h.join('&'):location.pathname);},80);}
var params=new URLSearchParams(location.hash.slice(1)||location.search.slice(1));
q.value=params.get('q')||'';fr.value=params.get('rule')||'';fy.value=params.get('year')||'';
fp.value=params.get('province')||'';fk.value=params.get('kind')||'';
[q,fr,fy,fp,fk].forEach(function(el){el.addEventListener(el===q?'input':'change',changed);});
more.addEventListener('click',function(){limit+=PAGE;render();});
render();
document.getElementById('match-count').setAttribute('data-ms',Math.round(performance.now()-t0));
})();
"""


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _fmt(number) -> str:
    if number is None:
        return "blank"
    number = float(number)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def _rule_bars(shares: list[tuple[str, str, int, int]]) -> str:
    """Horizontal SVG bars: share of reports failing each rule."""
    width, bar_h, label_w = 720, 22, 170
    height = bar_h * len(shares) + 10
    parts = [f'<svg role="img" aria-label="share of reports failing each rule" width="{width}" height="{height}">']
    for i, (rule, severity, failing, applicable) in enumerate(shares):
        share = failing / applicable if applicable else 0.0
        y = 5 + i * bar_h
        length = (width - label_w - 120) * share
        color = "#b3261e" if severity == "error" else "#e8a317"
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{_esc(rule)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{width - label_w - 120}" height="{bar_h - 8}" fill="#eef2f7"/>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{bar_h - 8}" fill="{color}"/>')
        parts.append(f'<text x="{width - 112}" y="{y + 15}" font-size="12">{share:.1%} ({failing}/{applicable})</text>')
    parts.append("</svg>")
    return "".join(parts)


def _heat_color(share: float) -> str:
    red = int(255 - 80 * share)
    green = int(245 - 200 * share)
    blue = int(240 - 200 * share)
    return f"rgb({red},{green},{blue})"


def _source_link(source_ref: str, out_dir: Path) -> str:
    if "://" in source_ref:
        return source_ref
    try:
        return os.path.relpath(source_ref, out_dir)
    except ValueError:
        return Path(source_ref).as_uri()


def build_dashboard(db_path, out_dir: str | os.PathLike = DEFAULT_DASHBOARD_DIR,
                    data_docs: str | os.PathLike | None = None) -> Path:
    """Write ``out_dir/index.html`` from the warehouse's latest quality run; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        page = _render(con, out_dir, Path(data_docs) if data_docs else None)
    finally:
        con.close()
    target = out_dir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def _render(con, out_dir: Path, data_docs: Path | None) -> str:
    run = con.execute(sql_text("dashboard/latest_run.sql")).fetchall()
    if not run:
        return _page("<p>No validation run yet: run <code>gongkai validate</code>.</p>", "no run")
    run_id, finished_at, reports, flagged, gx_success, docs_index = run[0]
    rule_rows = con.execute(sql_text("dashboard/rule_shares.sql")).fetchall()
    severity = {r.name: r.severity for r in RULES}
    shares = [(rule, severity.get(rule, "error"), failing, applicable) for rule, failing, applicable in rule_rows]
    heat = con.execute(sql_text("dashboard/flagged_by_province_year.sql")).fetchall()
    flagged_rows = con.execute(sql_text("dashboard/flagged_reports.sql"), {"max_rows": MAX_LISTED}).fetchall()

    body = [f'<div class="cards"><div class="card"><span>reports</span><b>{reports}</b></div>'
            f'<div class="card bad"><span>flagged (error rules)</span><b id="flagged-count">{flagged}</b></div>'
            f'<div class="card ok"><span>passed</span><b>{reports - flagged}</b></div>'
            f'<div class="card"><span>rules with findings</span><b>{sum(1 for s in shares if s[2])}</b></div></div>']
    docs = data_docs or (Path(docs_index) if docs_index else None)
    body.append(f'<section class="panel"><h2>Share of reports failing each rule</h2>{_rule_bars(shares)}'
                f'<p class="muted">red: error rules (the report is flagged); amber: warnings. '
                f'Denominator: reports the rule applies to.</p>{_suite_links(shares, docs, out_dir)}</section>')
    body.append(_heat_table(heat))
    body.append(_flagged_table(flagged_rows, out_dir))
    body.append(_drilldowns(con, flagged_rows[:MAX_DRILLDOWNS], len(flagged_rows)))
    return _page("".join(body), f"run {run_id}, finished {finished_at:%Y-%m-%d %H:%M} UTC")


def _heat_table(heat) -> str:
    years = sorted({year for _, year, _, _ in heat if year is not None})
    cells: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    for province, year, flagged, total in heat:
        cells[province or "（未解析 unresolved）"][year] = (flagged, total)
    rows = []
    for province in sorted(cells):
        tds = []
        for year in years:
            if year in cells[province]:
                flagged, total = cells[province][year]
                share = flagged / total if total else 0
                ink = "#fff" if share > 0.5 else "#1d2733"  # legible on dark and light cells
                tds.append(f'<td style="background:{_heat_color(share)};color:{ink}" title="{flagged} of {total} flagged">'
                           f'{share:.0%}<br><small>{flagged}/{total} flagged</small></td>')
            else:
                tds.append("<td></td>")
        rows.append(f"<tr><th>{_esc(province)}</th>{''.join(tds)}</tr>")
    header = "".join(f"<th>{year}</th>" for year in years)
    return (f'<section class="panel"><h2>Share of reports flagged, by province and year</h2>'
            f'<table class="heat"><tr><th>province</th>{header}</tr>{"".join(rows)}</table></section>')


def _suite_links(shares, docs: Path | None, out_dir: Path) -> str:
    """Each rule linked to its expectation suite's latest validation result page (GX's own
    output, kept for reference; the dashboard is the reviewer's page)."""
    if docs is None:
        return ""
    root = docs.parent if docs.name == "index.html" else docs
    links = []
    for rule, *_ in shares:
        pages = sorted((root / "validations" / f"gongkai_{rule}").rglob("*.html"), key=lambda p: p.stat().st_mtime)
        if pages:
            links.append(f'<a href="{_esc(_source_link(str(pages[-1]), out_dir))}">{_esc(rule)}</a>')
    if not links:
        return ""
    return '<p class="muted">suite results (Great Expectations): ' + " · ".join(links) + "</p>"


def _report_rows(flagged_rows, out_dir: Path) -> list[dict]:
    rows = []
    for report_id, agency, year, place, source_ref, rules, details in flagged_rows:
        rows.append({
            "id": report_id, "agency": agency, "year": year, "place": place,
            "province": (place or "").split("/")[0], "link": _source_link(source_ref, out_dir),
            "file": Path(source_ref).name, "rules": [[rule, sev] for rule, sev in rules], "details": details,
            "kind": "flagged-report" if any(sev == "error" for _, sev in rules) else "warned-report",
        })
    return rows


def _options(values, label: str) -> str:
    return f'<option value="">{_esc(label)}</option>' + "".join(
        f'<option value="{_esc(v)}">{_esc(v)}</option>' for v in values)


def _flagged_table(flagged_rows, out_dir: Path) -> str:
    """The failing reports with search and filters (rows rendered by the inline script)."""
    rows = _report_rows(flagged_rows, out_dir)
    payload = json.dumps({"rows": rows}, ensure_ascii=False, default=str).replace("</", "<\\/")
    rules = sorted({rule for r in rows for rule, _ in r["rules"]})
    years = sorted({str(r["year"]) for r in rows if r["year"] is not None})
    provinces = sorted({r["province"] for r in rows if r["province"]})
    filters = (
        '<div class="filters"><input id="q" type="search" placeholder="search agency, place, file, rule, cells …" '
        'aria-label="search failing reports">'
        f'<select id="f-rule" aria-label="rule">{_options(rules, "every rule")}</select>'
        f'<select id="f-year" aria-label="year">{_options(years, "every year")}</select>'
        f'<select id="f-province" aria-label="province">{_options(provinces, "every province")}</select>'
        '<select id="f-kind" aria-label="kind"><option value="">flagged and warned</option>'
        '<option value="flagged-report">flagged (error rule)</option><option value="warned-report">warnings only</option>'
        '</select></div>')
    return (f'<section class="panel"><h2>Reports failing a rule ({len(rows)})</h2>'
            '<p class="muted">flagged (an error rule fails) first, then warnings only · '
            '<span id="match-count"></span></p>' + filters +
            '<table><thead><tr><th>agency</th><th>year</th><th>place</th><th>failing rules</th><th>failing cells</th>'
            '<th>source</th></tr></thead><tbody id="report-rows"></tbody></table>'
            '<button id="more" type="button" style="display:none"></button>'
            f'<script type="application/json" id="report-data">{payload}</script>'
            f'<script>{_JS}</script></section>')


def _failing_cells(failures) -> set[tuple[str, str]]:
    """(row, column) cells of table 三 that a failing comparison involves."""
    cells = set()
    for rule, item in failures:
        if rule == "I2":
            cells.update((item, column) for column in F.APPLICANT_KEYS)
        elif rule == "I1":
            cells.update((row, item) for row in _I1_ROWS)
        elif rule == "I3":
            cells.update((row, item) for row in (*F.LEAF_DISPOSITIONS, "total"))
    return cells


def _drilldowns(con, flagged_rows, total_flagged: int) -> str:
    parts = ['<section class="panel"><h2>Drill-down per flagged report</h2>']
    if total_flagged > len(flagged_rows):
        parts.append(f'<p class="muted">showing the first {len(flagged_rows)} of {total_flagged}; '
                     'query v_quality for the rest.</p>')
    labels = {row.key: row.label for row in F.TABLE3_ROWS}
    for report_id, agency, year, place, source_ref, _rules, _details in flagged_rows:
        results = con.execute(sql_text("dashboard/report_results.sql"), {"report_id": report_id}).fetchall()
        failures = [(rule, item) for rule, item, _e, _o, passed, _s, _d in results if not passed]
        highlighted = _failing_cells(failures)
        verdicts = "".join(
            f'<tr><td>{_esc(rule)}</td><td>{_esc(item)}</td><td class="num">{_fmt(expected)}</td>'
            f'<td class="num">{_fmt(observed)}</td><td><span class="tag {"pass" if passed else severity}">'
            f'{"pass" if passed else "FAIL"}</span></td><td>{_esc(detail)}</td></tr>'
            for rule, item, expected, observed, passed, severity, detail in results if not passed)
        grid = con.execute(sql_text("dashboard/report_table3.sql"), {"report_id": report_id}).fetchall()
        values = {(row, column): (count, blank, where) for row, column, count, blank, where in grid}
        rows_present = [row.key for row in F.TABLE3_ROWS if any((row.key, c) in values for c in F.APPLICANT_KEYS)]
        header = "".join(f"<th>{_esc(label)}</th>" for _, label in F.APPLICANT_TYPES)
        body_rows = []
        for row in rows_present:
            tds = []
            for column in F.APPLICANT_KEYS:
                count, blank, where = values.get((row, column), (None, True, None))
                css = "num" + (" fail" if (row, column) in highlighted else "") + (" blank" if blank else "")
                tds.append(f'<td class="{css}" title="{_esc(where)}">{"" if blank else _fmt(count)}</td>')
            body_rows.append(f"<tr><th>{_esc(labels.get(row, row))}</th>{''.join(tds)}</tr>")
        table3 = (f"<table><tr><th>table 三</th>{header}</tr>{''.join(body_rows)}</table>" if body_rows
                  else '<p class="muted">table 三 absent</p>')
        parts.append(
            f'<details id="r-{_esc(report_id)}" open><summary>{_esc(agency)} · {_esc(year)} · {_esc(place)} '
            f'<span class="muted">{_esc(report_id)} · {_esc(source_ref)}</span></summary>'
            f'<table><tr><th>rule</th><th>item</th><th>expected</th><th>found</th><th>verdict</th><th>what</th></tr>'
            f'{verdicts}</table><p></p>{table3}</details>')
    parts.append("</section>")
    return "".join(parts)


def _page(body: str, subtitle: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>gongkai · data quality</title><style>{_CSS}</style></head><body>"
        f"<header><h1>gongkai · 政府信息公开年报 data quality</h1><p>{_esc(subtitle)}</p></header>"
        f"<main>{body}</main></body></html>"
    )
