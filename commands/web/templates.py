"""The pages' Jinja2 templates, kept in Python so they install with the package.

Autoescaping is on for every template: text that came from the ledger is
always escaped; only the charts (built and escaped in ``commands.web.charts``)
are marked safe.
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import DictLoader, Environment, select_autoescape
from markupsafe import Markup

CSS = """
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111827;background:#f5f6f8}
header{background:#1f3a5f;color:#fff;padding:10px 24px;display:flex;align-items:center;gap:24px;flex-wrap:wrap}
header .brand{font-weight:700;font-size:17px}
header .brand span{font-weight:400;opacity:.8;font-size:13px;margin-left:8px}
header nav a{color:#fff;margin-right:16px;text-decoration:none;border-bottom:2px solid transparent}
header nav a:hover,header nav a:focus{border-bottom-color:#fff}
header form.logout{margin-left:auto;display:flex;align-items:center;gap:10px;font-size:13px}
main{max-width:1180px;margin:0 auto;padding:18px 24px 40px}
h1{font-size:24px;margin:8px 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d1d5db;padding-bottom:4px}
.sub{color:#4b5563;margin:0 0 12px}
section.card,div.card{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 16px;margin:12px 0}
.kpis{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.kpi{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 16px;min-width:150px}
.kpi .n{font-size:28px;font-weight:700}
.kpi .l{color:#4b5563;font-size:13px}
.kpi.alert .n{color:#b2182b}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border-bottom:1px solid #e5e7eb;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6;font-weight:600}
td.num,th.num{text-align:right}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff;background:#6b7280}
.badge.overdue,.badge.failed{background:#b2182b}.badge.due{background:#2166ac}
.badge.met,.badge.ok{background:#1b7837}.badge.met-late{background:#5aa469}
.badge.corrected{background:#8c510a}.badge.correction{background:#01665e}
.charts{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
.charts svg{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:6px}
form.inline{display:flex;gap:10px;flex-wrap:wrap;align-items:flex-end;background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 12px}
form.inline label{display:flex;flex-direction:column;font-size:12px;color:#374151}
input,select,button{font:inherit;padding:4px 8px;border:1px solid #9ca3af;border-radius:4px}
button{background:#1f3a5f;color:#fff;border-color:#1f3a5f;cursor:pointer}
header button{background:#fff;color:#1f3a5f}
a{color:#1d4ed8}
pre{background:#111827;color:#e5e7eb;padding:10px;border-radius:6px;overflow:auto;font-size:13px}
dl.fields{display:grid;grid-template-columns:minmax(6em,max-content) minmax(12em,1fr);gap:2px 12px;margin:0}
td.details{width:42%;min-width:360px}
td.when{font-size:12px;white-space:nowrap}
dl.fields dt{color:#4b5563;max-width:13em;overflow-wrap:anywhere}dl.fields dd{margin:0;word-break:break-word}
.timeline li{margin:0 0 10px}
.muted{color:#6b7280}
.nw{white-space:nowrap}
.banner{background:#fff7e6;border:1px solid #f0c36d;border-radius:6px;padding:6px 10px;margin:8px 0}
.error{background:#fdecea;border:1px solid #f5a3a3;border-radius:6px;padding:8px 12px}
footer{color:#6b7280;font-size:12px;text-align:center;padding:16px}
"""

BASE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · Scrutiny Ledger</title>
<style>{{ css }}</style>
</head>
<body>
<header>
  <div class="brand">Scrutiny Ledger<span>Somerset Safeguarding Children Partnership</span></div>
  {% if grant %}
  <nav aria-label="Main">
    {% if 'executive' in audiences %}<a href="/dashboard">Dashboard</a>{% endif %}
    {% if 'inspector' in audiences %}<a href="/inspect">Inspection</a><a href="/inspect/history">History</a>{% endif %}
    {% if 'moderation' in audiences %}<a href="/activity">Scrutineer activity</a>{% endif %}
  </nav>
  <form class="logout" method="post" action="/logout">
    <span>{{ grant.display_name }} · {{ roles_label }}</span><button type="submit">Log out</button>
  </form>
  {% endif %}
</header>
<main>
{% block main %}{% endblock %}
</main>
<footer>Read-only view of the ledger. Nothing here changes the record.</footer>
</body>
</html>
"""

MACROS = """
{% macro scope_form(action, scope, extra={}) %}
<form class="inline" method="get" action="{{ action }}">
  {% for k, v in extra.items() %}<input type="hidden" name="{{ k }}" value="{{ v }}">{% endfor %}
  <label>As of (date the facts had occurred by)<input type="date" name="as_of" value="{{ scope.as_of or '' }}"></label>
  <label>As known at (tree size or UTC time)<input type="text" name="as_known_at" value="{{ scope.known_at or '' }}" placeholder="e.g. 27 or 2020-03-31T17:00:00Z"></label>
  <button type="submit">Show</button>
  {% if scope.known_at or scope.as_of %}<a href="{{ action }}{% if extra %}?{{ extra | urlencode }}{% endif %}">Back to now</a>{% endif %}
</form>
{% if scope.known_at or scope.as_of %}
<p class="banner">Time travel:
{% if scope.known_at %} as known at <strong>{{ scope.known_at }}</strong>{% endif %}
{% if scope.as_of %} as of <strong>{{ scope.as_of }}</strong>{% endif %}.</p>
{% endif %}
{% endmacro %}

{% macro state_badge(state) %}<span class="badge {{ state | replace(' ', '-') }}">{{ state }}</span>{% endmacro %}

{% macro history_table(rows, show_stream=True) %}
<table>
<thead><tr><th class="num">Position</th><th>Occurred</th><th>Recorded (UTC)</th>{% if show_stream %}<th>Stream</th>{% endif %}<th>Act</th><th>By (name then)</th><th>Tier</th><th>Details</th><th>Proof</th></tr></thead>
<tbody>
{% for r in rows %}
<tr id="p{{ r.position }}">
  <td class="num">{{ r.position }}</td>
  <td class="nw">{{ r.occurred_on or '' }}</td>
  <td class="muted when">{{ r.recorded_at[:10] }}<br>{{ r.recorded_at[11:] }}</td>
  {% if show_stream %}<td><a href="/inspect/timeline?stream={{ r.stream_id | urlencode }}">{{ r.stream_id }}</a></td>{% endif %}
  <td>{{ r.event_type }}
    {% if r.corrected_by is not none %}<br><span class="badge corrected">corrected by position {{ r.corrected_by }}</span>{% endif %}
    {% if r.corrects %}<br><span class="badge correction">corrects {{ r.corrects }}</span>{% endif %}
  </td>
  <td>{{ r.actor or '' }}{% if r.organisation_name_then %}<br><span class="muted">organisation then: {{ r.organisation_name_then }}</span>{% endif %}</td>
  <td>{{ r.tier if r.tier is not none else '' }}</td>
  <td class="details"><dl class="fields">{% for k, v in r.fields.items() if v not in (none, '', []) %}<dt>{{ k }}</dt><dd>{{ v | show }}</dd>{% endfor %}
  {% for e in r.evidence %}<dt>evidence</dt><dd>{{ e | show }}</dd>{% endfor %}</dl></td>
  <td><a href="/api/proofs/inclusion/{{ r.position }}">inclusion</a></td>
</tr>
{% else %}
<tr><td colspan="9" class="muted">No acts.</td></tr>
{% endfor %}
</tbody>
</table>
{% endmacro %}

{% macro streams_table(rows, empty) %}
{% if rows %}
<table><thead><tr><th>Id</th><th>Status</th><th>Tier</th><th>Opened</th><th>Closed</th></tr></thead><tbody>
{% for s in rows %}<tr><td><a href="/cases/{{ s.stream_id | urlencode }}">{{ s.key }}</a></td><td>{{ s.status or '' }}</td><td>{{ s.tier if s.tier is not none else '' }}</td><td class="nw">{{ s.opened_on or '' }}</td><td class="nw">{{ s.closed_on or '' }}</td></tr>{% endfor %}
</tbody></table>
{% else %}<p class="muted">{{ empty }}</p>{% endif %}
{% endmacro %}

{% macro deadlines_table(rows) %}
<table><thead><tr><th>State</th><th>Due</th><th class="num">Days left</th><th>What</th><th>Deadline</th><th>Rule</th><th>Met on</th></tr></thead><tbody>
{% for d in rows %}<tr><td class="nw">{{ state_badge(d.state) }}</td><td class="nw">{{ d.due }}</td><td class="num">{{ d.days_left if d.days_left is not none else '' }}</td>
<td class="nw"><a href="/cases/{{ d.stream_id | urlencode }}">{{ d.kind }} {{ d.key }}</a></td><td>{{ d.name }}<br><span class="muted">{{ d.description }}</span></td><td>{{ d.rule }}</td><td class="nw">{{ d.met_on or '' }}</td></tr>
{% else %}<tr><td colspan="7" class="muted">None.</td></tr>{% endfor %}
</tbody></table>
{% endmacro %}
"""

LOGIN = """{% extends "base.html" %}
{% block main %}
<h1>Sign in</h1>
<p class="sub">Paste the token you were given (<code>scrutiny token issue</code>). It is kept in a cookie this browser sends only to this site.</p>
{% if message %}<p class="error" role="alert">{{ message }}</p>{% endif %}
<form class="inline" method="post" action="/login">
  <label>Token<input type="password" name="token" autocomplete="off" size="60" required></label>
  <button type="submit">Sign in</button>
</form>
{% endblock %}
"""

MESSAGE = """{% extends "base.html" %}
{% block main %}
<h1>{{ heading }}</h1>
<p class="error" role="alert">{{ message }}</p>
{% endblock %}
"""

HOME = """{% extends "base.html" %}
{% block main %}
<h1>Welcome, {{ grant.display_name }}</h1>
{% if not audiences %}<p class="error">You hold no role today that gives access to these pages.</p>{% endif %}
{% endblock %}
"""

DASHBOARD = """{% extends "base.html" %}{% import "macros.html" as m %}
{% block main %}
<h1>Executive dashboard</h1>
<p class="sub">Status as of <strong>{{ d.as_of }}</strong>{% if d.as_known_at %}, as known at <strong>{{ d.as_known_at }}</strong>{% endif %} · {{ d.events }} acts recorded</p>
{{ m.scope_form('/dashboard', scope) }}
<div class="kpis">
  <div class="kpi{% if overdue_challenges %} alert{% endif %}" id="kpi-open-challenges"><div class="n">{{ d.open_challenges | length }}</div><div class="l">open challenges ({{ overdue_challenges }} overdue)</div></div>
  <div class="kpi{% if d.deadlines.counts.overdue %} alert{% endif %}" id="kpi-overdue"><div class="n">{{ d.deadlines.counts.overdue }}</div><div class="l">deadlines overdue</div></div>
  <div class="kpi" id="kpi-due"><div class="n">{{ d.deadlines.counts.due }}</div><div class="l">deadlines due</div></div>
  <div class="kpi"><div class="n">{{ d.deadlines.counts.met + d.deadlines.counts['met late'] }}</div><div class="l">deadlines met ({{ d.deadlines.counts['met late'] }} late)</div></div>
  <div class="kpi"><div class="n">{{ open_reviews }}</div><div class="l">reviews open</div></div>
  <div class="kpi"><div class="n">{{ open_audits }}</div><div class="l">audits open</div></div>
</div>

<h2>Open challenges</h2>
{% if d.open_challenges %}
<table id="open-challenges"><thead><tr><th>Challenge</th><th>Tier</th><th>Status</th><th>Raised</th><th class="num">Age (days)</th><th>Response due</th><th></th><th class="num">Escalations</th><th>Awaiting</th><th>Subject</th></tr></thead><tbody>
{% for c in d.open_challenges %}<tr>
<td class="nw"><a href="/cases/{{ ('challenge:' ~ c.challenge_id) | urlencode }}">{{ c.challenge_id }}</a></td><td>{{ c.tier }}</td><td>{{ c.status }}</td><td class="nw">{{ c.raised_on }}</td><td class="num">{{ c.age_days }}</td><td class="nw">{{ c.response_due or '' }}</td>
<td>{% if c.overdue %}<span class="badge overdue">overdue</span>{% endif %}</td><td class="num">{{ c.escalations }}</td><td>{{ c.awaiting | join(', ') }}</td><td>{{ c.subject or '' }}</td></tr>{% endfor %}
</tbody></table>
{% else %}<p class="muted">No open challenges.</p>{% endif %}

<h2>Deadlines</h2>
<div class="charts">{{ deadline_chart }}
<table style="width:auto"><thead><tr><th>State</th><th class="num">Deadlines</th></tr></thead><tbody>
{% for state, n in d.deadlines.counts.items() %}<tr><td>{{ m.state_badge(state) }}</td><td class="num">{{ n }}</td></tr>{% endfor %}
</tbody></table></div>
<h3>Overdue and due</h3>
{{ m.deadlines_table(d.deadlines.overdue + d.deadlines.due) }}

<h2>Reviews (serious incidents and practice reviews)</h2>
{{ m.streams_table(d.reviews, 'No serious incidents or reviews recorded.') }}

<h2>Audits</h2>
{{ m.streams_table(d.audits, 'No audits recorded.') }}

<h2>Yearly report cycle</h2>
{{ m.streams_table(d.reports, 'No yearly report recorded.') }}

<h2>Other work by kind and status</h2>
{% if d.other_work %}
<table style="width:auto"><thead><tr><th>Kind</th><th>Status</th><th class="num">Count</th></tr></thead><tbody>
{% for w in d.other_work %}<tr><td>{{ w.kind }}</td><td>{{ w.status or '' }}</td><td class="num">{{ w.count }}</td></tr>{% endfor %}
</tbody></table>
{% else %}<p class="muted">No other work recorded.</p>{% endif %}

<h2>Scrutiny coverage of each tier</h2>
<div class="charts">{{ coverage_chart }}
<table style="width:auto"><thead><tr><th>Tier</th><th>Year</th><th class="num">Scrutiny acts</th><th class="num">Scrutineers</th><th class="num">All acts</th></tr></thead><tbody>
{% for r in d.tier_coverage %}<tr><td>{{ r.tier }}</td><td>{{ r.year }}</td><td class="num">{{ r.scrutiny_acts }}</td><td class="num">{{ r.scrutineers }}</td><td class="num">{{ r.acts }}</td></tr>
{% else %}<tr><td colspan="5" class="muted">No acts at any tier yet.</td></tr>{% endfor %}
</tbody></table></div>
{% endblock %}
"""

CASE = """{% extends "base.html" %}{% import "macros.html" as m %}
{% block main %}
<h1>{{ s.kind }} {{ s.key }}</h1>
<p class="sub">Status <strong>{{ s.status or 'unknown' }}</strong>{% if s.tier is not none %} · tier {{ s.tier }}{% endif %}{% if s.opened_on %} · opened {{ s.opened_on }}{% endif %}{% if s.closed_on %} · closed {{ s.closed_on }}{% endif %} · last position {{ s.last_position }}</p>
{{ m.scope_form('/cases/' ~ (s.stream_id | urlencode), scope) }}
<h2>Deadlines</h2>
{{ m.deadlines_table(s.deadlines) }}
<h2>State</h2>
<div class="card"><dl class="fields">{% for k, v in s.data.items() if v not in (none, '', [], {}) %}<dt>{{ k }}</dt><dd>{{ v | show }}</dd>{% endfor %}</dl></div>
{% if s.timeline is not none %}
<h2>Timeline</h2>
<p><a href="/api/bundles/latest.zip?stream={{ s.stream_id | urlencode }}">Download the export bundle of this stream</a> (with inclusion proofs against the latest checkpoint) ·
<a href="/api/bundles/latest.zip">the whole ledger</a></p>
{{ m.history_table(s.timeline, show_stream=False) }}
{% endif %}
{% endblock %}
"""

INSPECT = """{% extends "base.html" %}{% import "macros.html" as m %}
{% block main %}
<h1>Inspection</h1>
<p class="sub">Replay any case, challenge or tier as it was known on a past date; check that nothing was altered or removed.</p>
<h2>Verification</h2>
<div class="card" id="verification">
{% if v.ok %}<span class="badge ok">verified</span>{% else %}<span class="badge failed">FAILED</span> {{ v.problem }}{% if v.first_bad_position is not none %} (first bad position {{ v.first_bad_position }}){% endif %}{% endif %}
<dl class="fields" style="margin-top:8px"><dt>Events</dt><dd>{{ v.tree_size }}</dd><dt>Root (base64)</dt><dd><code>{{ v.root_hash }}</code></dd>
<dt>Checkpoints checked</dt><dd>{{ v.checkpoints_checked }}</dd><dt>Verifier key from</dt><dd>{{ v.key_source }}</dd></dl>
</div>
<h2>Checkpoints</h2>
{% if latest %}
<p>Latest, #{{ latest.id }} at tree size {{ latest.tree_size }}, signed {{ latest.recorded_at }} (<a href="/api/checkpoint">download as text</a>):</p>
<pre>{{ latest.note }}</pre>
<table style="width:auto"><thead><tr><th>#</th><th class="num">Tree size</th><th>Signed (UTC)</th><th></th></tr></thead><tbody>
{% for c in checkpoints | reverse %}<tr><td>{{ c.id }}</td><td class="num">{{ c.tree_size }}</td><td>{{ c.recorded_at }}</td><td><a href="/inspect/history?as_known_at={{ c.tree_size }}">history as known at this checkpoint</a></td></tr>{% endfor %}
</tbody></table>
{% else %}<p class="muted">No checkpoint has been signed yet.</p>{% endif %}
<h2>Export bundle</h2>
<p>{% if latest %}<a href="/api/bundles/latest.zip" id="bundle-link">Download the export bundle</a> of checkpoint #{{ latest.id }} (zip): the signed checkpoint, the verifier key and every event with the exact bytes hashed. Verify it on your own machine with the RFCs and C2SP specifications alone (docs/formats.md).{% else %}An export needs a checkpoint.{% endif %}</p>
<h2>Timelines</h2>
<form class="inline" method="get" action="/inspect/timeline">
  <label>Stream<input type="text" name="stream" placeholder="challenge:CH-2019-001 or case:SSCP-2019-01" size="36" required></label>
  <label>As of<input type="date" name="as_of"></label>
  <label>As known at (tree size or UTC time)<select name="as_known_at"><option value="">now</option>{% for c in checkpoints | reverse %}<option value="{{ c.tree_size }}">checkpoint #{{ c.id }} (size {{ c.tree_size }})</option>{% endfor %}</select></label>
  <button type="submit">Replay</button>
</form>
{% if streams %}
<table><thead><tr><th>Stream</th><th>Status</th><th>Tier</th><th>Opened</th><th>Closed</th></tr></thead><tbody>
{% for s in streams %}<tr><td><a href="/inspect/timeline?stream={{ s.stream_id | urlencode }}">{{ s.stream_id }}</a></td><td>{{ s.status or '' }}</td><td>{{ s.tier if s.tier is not none else '' }}</td><td class="nw">{{ s.opened_on or '' }}</td><td class="nw">{{ s.closed_on or '' }}</td></tr>{% endfor %}
</tbody></table>
{% endif %}
{% endblock %}
"""

TIMELINE = """{% extends "base.html" %}{% import "macros.html" as m %}
{% block main %}
<h1>Timeline of {{ s.stream_id }}</h1>
<p class="sub">Status <strong>{{ s.status or 'unknown' }}</strong>{% if s.tier is not none %} · tier {{ s.tier }}{% endif %} · people and organisations named as they were on each act's date</p>
{{ m.scope_form('/inspect/timeline', scope, {'stream': s.stream_id}) }}
<p><a href="/api/bundles/latest.zip?stream={{ s.stream_id | urlencode }}">Download the export bundle of this stream</a> (inclusion proofs against the latest checkpoint) · <a href="/cases/{{ s.stream_id | urlencode }}">state and deadlines</a></p>
{{ m.history_table(s.timeline, show_stream=False) }}
{% endblock %}
"""

HISTORY = """{% extends "base.html" %}{% import "macros.html" as m %}
{% block main %}
<h1>History</h1>
<p class="sub">Every act in order, with names as they were on the act's date.</p>
<form class="inline" method="get" action="/inspect/history">
  <label>Stream<input type="text" name="stream" value="{{ f.stream or '' }}"></label>
  <label>Person<input type="text" name="actor" value="{{ f.actor or '' }}" size="14"></label>
  <label>Organisation<input type="text" name="org" value="{{ f.org or '' }}" size="14"></label>
  <label>Tier<select name="tier"><option value="">any</option>{% for t in (1, 2, 3) %}<option value="{{ t }}"{% if f.tier == t %} selected{% endif %}>{{ t }}</option>{% endfor %}</select></label>
  <label>Act<input type="text" name="kind" value="{{ f.kind or '' }}" size="16" placeholder="ChallengeRaised"></label>
  <label>Since<input type="date" name="since" value="{{ f.since or '' }}"></label>
  <label>Until<input type="date" name="until" value="{{ f.until or '' }}"></label>
  <label>As of<input type="date" name="as_of" value="{{ scope.as_of or '' }}"></label>
  <label>As known at<input type="text" name="as_known_at" value="{{ scope.known_at or '' }}" size="12"></label>
  <button type="submit">Search</button>
</form>
{% if scope.known_at or scope.as_of %}<p class="banner">Time travel:{% if scope.known_at %} as known at <strong>{{ scope.known_at }}</strong>{% endif %}{% if scope.as_of %} as of <strong>{{ scope.as_of }}</strong>{% endif %}.</p>{% endif %}
{{ m.history_table(page.rows) }}
{% if page.next_after is not none %}<p><a href="{{ next_url }}">Next page</a></p>{% endif %}
{% endblock %}
"""

ACTIVITY = """{% extends "base.html" %}{% import "macros.html" as m %}
{% block main %}
<h1>Scrutineer activity</h1>
<p class="sub">Each independent scrutineer's acts by tier, for moderation.</p>
{{ m.scope_form('/activity', scope) }}
<div class="charts">{{ chart }}</div>
<table><thead><tr><th>Scrutineer</th><th class="num">Acts</th><th class="num">Tier 1</th><th class="num">Tier 2</th><th class="num">Tier 3</th></tr></thead><tbody>
{% for s in scrutineers %}<tr><td><a href="/activity/{{ s.person_id | urlencode }}">{{ s.display_name or s.person_id }}</a> <span class="muted">({{ s.person_id }})</span></td><td class="num">{{ s.acts }}</td>
<td class="num">{{ s.by_tier.get('1', 0) }}</td><td class="num">{{ s.by_tier.get('2', 0) }}</td><td class="num">{{ s.by_tier.get('3', 0) }}</td></tr>
{% else %}<tr><td colspan="5" class="muted">No independent scrutineer recorded.</td></tr>{% endfor %}
</tbody></table>
<h2>Moderation outcomes</h2>
{% if moderations %}
<table><thead><tr><th>Moderation</th><th>Status</th><th>Opened</th><th>Details</th></tr></thead><tbody>
{% for r in moderations %}<tr><td>{{ r.key }}</td><td>{{ r.status or '' }}</td><td>{{ r.opened_on or '' }}</td><td><dl class="fields">{% for k, v in r.data.items() if v not in (none, '', [], {}) %}<dt>{{ k }}</dt><dd>{{ v | show }}</dd>{% endfor %}</dl></td></tr>{% endfor %}
</tbody></table>
{% else %}<p class="muted">No moderation recorded.</p>{% endif %}
<p class="muted">Machine-readable: <code>/api/scrutineers</code>, <code>/api/scrutineers/ID/activity</code>, <code>/api/moderation</code>.</p>
{% endblock %}
"""

SCRUTINEER = """{% extends "base.html" %}{% import "macros.html" as m %}
{% block main %}
<h1>{{ a.display_name or a.person_id }}</h1>
<p class="sub">Independent scrutineer <code>{{ a.person_id }}</code></p>
{{ m.scope_form('/activity/' ~ (a.person_id | urlencode), scope) }}
<div class="charts">{{ chart }}</div>
<h2>Roles</h2>
<table><thead><tr><th>Role</th><th>For</th><th>From</th><th>To</th><th>Pool</th></tr></thead><tbody>
{% for r in a.appointments %}<tr><td>{{ r.role }}</td><td>{{ r.organisation_id }}</td><td>{{ r.start }}</td><td>{{ r.end or '' }}</td><td>{{ r.pool or '' }}</td></tr>
{% else %}<tr><td colspan="5" class="muted">None recorded.</td></tr>{% endfor %}</tbody></table>
<h2>Declared interests</h2>
<table><thead><tr><th>Organisation</th><th>Nature</th><th>From</th><th>To</th></tr></thead><tbody>
{% for i in a.interests %}<tr><td>{{ i.organisation_id }}</td><td>{{ i.nature }}</td><td>{{ i.start }}</td><td>{{ i.end or '' }}</td></tr>
{% else %}<tr><td colspan="4" class="muted">None declared.</td></tr>{% endfor %}</tbody></table>
<h2>Acts by month, tier and kind</h2>
<table><thead><tr><th>Month</th><th>Tier</th><th>Act</th><th class="num">Count</th></tr></thead><tbody>
{% for r in a.activity %}<tr><td>{{ r.month }}</td><td>{{ r.tier if r.tier is not none else '' }}</td><td>{{ r.kind }}</td><td class="num">{{ r.count }}</td></tr>
{% else %}<tr><td colspan="4" class="muted">No acts recorded.</td></tr>{% endfor %}</tbody></table>
{% endblock %}
"""

TEMPLATES = {
    "base.html": BASE,
    "macros.html": MACROS,
    "login.html": LOGIN,
    "message.html": MESSAGE,
    "home.html": HOME,
    "dashboard.html": DASHBOARD,
    "case.html": CASE,
    "inspect.html": INSPECT,
    "timeline.html": TIMELINE,
    "history.html": HISTORY,
    "activity.html": ACTIVITY,
    "scrutineer.html": SCRUTINEER,
}


def show(value: Any) -> str:
    """A stored value as text: strings as they are, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def environment() -> Environment:
    env = Environment(
        loader=DictLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["show"] = show
    env.globals["css"] = Markup(CSS)  # a constant of ours, inside <style>
    return env
