"""The baselines of issue 7 point 2: SQL written by hand that computes what each command shows,
for the `sqlite3` and `psql` shells to run on the same ledger.

Each script computes the same figures and lists as the command (DESIGN §4 and §8), the way
someone fluent in SQL would: one aggregate pass into a small temporary table, then the
totals and groups from it; the lists with their joins. The dates that depend on the working-day
calendar (the escalation cut-offs) are constants here, computed by run.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def sqlite(self) -> bool:
        return self.name == "sqlite"

    def days(self, later: str, earlier: str) -> str:
        if self.sqlite:
            return f"(julianday({later}) - julianday({earlier}))"
        return f"({later} - {earlier})"

    def day_of(self, timestamp: str) -> str:
        return f"date({timestamp})" if self.sqlite else f"{timestamp}::date"

    def tags(self, issue: str) -> str:
        join = "string_agg(t.name, ';' ORDER BY t.name)" if not self.sqlite else "group_concat(t.name, ';')"
        return f"(SELECT {join} FROM issue_tag it JOIN tag t ON t.id = it.tag_id WHERE it.issue_id = {issue}.id)"

    def temp(self, name: str, select: str) -> str:
        return f"DROP TABLE IF EXISTS {name};\nCREATE TEMP TABLE {name} AS {select};\n"


def q(value: date | str | None) -> str:
    return "NULL" if value is None else f"'{value}'"


@dataclass(frozen=True)
class Ladder:
    """The escalation cut-offs for one as-of date (services.supervision.LevelCutoffs)."""

    as_of: date
    red_before: date
    due_soon_until: date


def _figures(d: Dialect, ladder: Ladder, overdue_on: date) -> str:
    """The per-group counts every report row carries (DESIGN §4 and §8), as FILTER aggregates."""
    unresolved = "status <> 'resolved'"
    return f"""count(*) AS total,
    count(*) FILTER (WHERE status = 'resolved') AS resolved,
    count(*) FILTER (WHERE status = 'deferred') AS deferred,
    count(*) FILTER (WHERE {unresolved} AND due_on <= {q(overdue_on)}) AS overdue,
    count(*) FILTER (WHERE dispatched_at IS NOT NULL) AS dispatched,
    count(*) FILTER (WHERE dispatched_at IS NOT NULL AND acknowledged_at IS NOT NULL AND acknowledge_by IS NOT NULL
                     AND {d.day_of('acknowledged_at')} <= acknowledge_by) AS acknowledged_in_time,
    count(*) FILTER (WHERE status = 'resolved' AND callback_result IS NOT NULL AND callback_on IS NOT NULL
                     AND callback_on >= resolved_on) AS called_back,
    count(*) FILTER (WHERE callback_result IS NOT NULL) AS callbacks,
    count(*) FILTER (WHERE callback_result IN ('satisfied', 'basic')) AS satisfied,
    count(*) FILTER (WHERE {unresolved} AND (escalated_at IS NOT NULL OR due_on < {q(ladder.red_before)})) AS level_red,
    count(*) FILTER (WHERE {unresolved} AND escalated_at IS NULL AND due_on >= {q(ladder.red_before)}
                     AND due_on < {q(ladder.as_of)}) AS level_overdue,
    count(*) FILTER (WHERE {unresolved} AND escalated_at IS NULL AND due_on >= {q(ladder.as_of)}
                     AND due_on <= {q(ladder.due_soon_until)}) AS level_due_soon"""


SUMS = ("total", "resolved", "deferred", "overdue", "dispatched", "acknowledged_in_time", "called_back",
        "callbacks", "satisfied", "level_red", "level_overdue", "level_due_soon")


def _sums(extra: tuple[str, ...] = ()) -> str:
    return ", ".join(f"sum({name}) AS {name}" for name in (*SUMS, *extra))


def summary(d: Dialect, *, since: date, until: date, ladder: Ladder) -> str:
    """`report summary --year Y --by category`: totals, median, by kind, by category."""
    scope = f"reported_on >= {q(since)} AND reported_on <= {q(until)}"
    resolved_days = d.days("resolved_on", "reported_on")
    groups = d.temp("g", f"""SELECT category_id, kind, {_figures(d, ladder, ladder.as_of)},
    sum(CASE WHEN status = 'resolved' AND resolved_on IS NOT NULL THEN {resolved_days} END) AS days,
    count(*) FILTER (WHERE status = 'resolved' AND resolved_on IS NOT NULL) AS timed
  FROM issue WHERE {scope} GROUP BY category_id, kind""")
    timed = "(SELECT sum(timed) FROM g)"
    return groups + f"""SELECT {_sums(("days", "timed"))}, 1.0 * sum(days) / sum(timed) AS avg_days FROM g;
SELECT avg(days) AS median_days FROM (
  SELECT {resolved_days} AS days FROM issue
  WHERE {scope} AND status = 'resolved' AND resolved_on IS NOT NULL
  ORDER BY days LIMIT 2 - {timed} % 2 OFFSET ({timed} - 1) / 2) AS middle;
SELECT kind, {_sums()} FROM g GROUP BY kind ORDER BY total DESC;
SELECT c.code, c.name_zh, c.name_en, {_sums()} FROM g JOIN category c ON c.id = g.category_id
  GROUP BY c.code, c.name_zh, c.name_en ORDER BY total DESC;
"""


def _issue_columns(d: Dialect) -> str:
    return ("i.id, i.title, e.name AS enterprise, c.code AS category, i.status, dep.name AS department, i.owner, "
            "i.reported_on, i.due_on, i.resolved_on")


NAMES = ("FROM issue i JOIN enterprise e ON e.id = i.enterprise_id JOIN category c ON c.id = i.category_id "
         "LEFT JOIN department dep ON dep.id = i.department_id")


def _level(ladder: Ladder) -> str:
    return (f"CASE WHEN i.escalated_at IS NOT NULL OR i.due_on < {q(ladder.red_before)} THEN 'red' "
            f"WHEN i.due_on < {q(ladder.as_of)} THEN 'overdue' ELSE 'due-soon' END")


def weekly(d: Dialect, *, monday: date, sunday: date, ladder: Ladder) -> str:
    """`report weekly`: the week and to-date figures, per category, closed and overdue lists."""
    as_of = ladder.as_of
    in_week = f"status = 'resolved' AND resolved_on >= {q(monday)} AND resolved_on <= {q(sunday)}"
    groups = d.temp("w", f"""SELECT category_id, {_figures(d, ladder, as_of)},
    count(*) FILTER (WHERE reported_on >= {q(monday)}) AS filed,
    count(*) FILTER (WHERE {in_week}) AS resolved_in_week,
    count(*) FILTER (WHERE status = 'resolved' AND resolved_on <= {q(sunday)}) AS resolved_to_date,
    count(*) FILTER (WHERE status <> 'resolved' AND due_on >= {q(as_of)}
                     AND due_on <= {q(date.fromordinal(as_of.toordinal() + 6))}) AS due_next_7_days
  FROM issue WHERE reported_on <= {q(sunday)} GROUP BY category_id""")
    extra = ("filed", "resolved_in_week", "resolved_to_date", "due_next_7_days")
    return groups + f"""SELECT {_sums(extra)} FROM w;
SELECT c.code, c.name_zh, c.name_en, {_sums(extra)} FROM w JOIN category c ON c.id = w.category_id
  GROUP BY c.code, c.name_zh, c.name_en ORDER BY total DESC;
SELECT {_issue_columns(d)}, {d.days('i.resolved_on', 'i.reported_on')} AS days_to_resolve {NAMES}
  WHERE i.reported_on <= {q(sunday)} AND {in_week} ORDER BY i.resolved_on, i.id;
SELECT {_issue_columns(d)}, {d.days(q(as_of), 'i.due_on')} AS days_overdue, {_level(ladder)} AS level {NAMES}
  WHERE i.reported_on <= {q(sunday)} AND i.status <> 'resolved' AND i.due_on <= {q(as_of)}
  ORDER BY i.due_on, i.id;
"""


def overdue(d: Dialect, *, ladder: Ladder) -> str:
    """`report overdue`: the supervision list, red then yellow then blue, most overdue first."""
    on_ladder = (f"i.status <> 'resolved' AND (i.escalated_at IS NOT NULL OR "
                 f"(i.due_on IS NOT NULL AND i.due_on <= {q(ladder.due_soon_until)}))")
    groups = d.temp("o", f"""SELECT {_level(ladder)} AS level, count(*) AS total,
    count(*) FILTER (WHERE i.due_on <= {q(ladder.as_of)}) AS overdue,
    min(CASE WHEN i.due_on < {q(ladder.as_of)} THEN i.due_on END) AS earliest_late
  FROM issue i WHERE {on_ladder} GROUP BY 1""")
    return groups + f"""SELECT sum(total), sum(overdue) FROM o;
SELECT level, total, overdue, earliest_late FROM o;
SELECT {_issue_columns(d)}, {d.days(q(ladder.as_of), 'i.due_on')} AS days_overdue, {_level(ladder)} AS level {NAMES}
  WHERE {on_ladder}
  ORDER BY CASE WHEN i.escalated_at IS NOT NULL OR i.due_on < {q(ladder.red_before)} THEN 0
                WHEN i.due_on < {q(ladder.as_of)} THEN 1 ELSE 2 END, i.due_on IS NULL, i.due_on, i.id;
"""


def issue_list(d: Dialect, *, status: str, category: str, limit: int) -> str:
    """`issue list --status S --category C --limit N`, sorted by reported_on."""
    return f"""SELECT i.id, i.title, e.name, c.code, i.status, i.priority, dep.name, i.owner, i.reported_on, i.due_on,
  {d.tags('i')} AS tags {NAMES}
  WHERE i.status = {q(status)} AND i.category_id = (SELECT id FROM category WHERE code = {q(category)})
  ORDER BY i.reported_on, i.id LIMIT {limit};
"""


def issue_show(d: Dialect, *, issue_id: int) -> str:
    """`issue show ID`: the row with its names and tags, then its history."""
    return f"""SELECT i.id, i.title, i.description, e.name, i.project, c.code, i.kind, i.source, i.priority, i.status,
  dep.name, i.owner, i.reported_on, i.due_on, i.resolved_on, i.resolution, {d.tags('i')} AS tags,
  i.created_by, i.created_at, i.updated_at {NAMES} WHERE i.id = {issue_id};
SELECT at, actor, action, field, old, new, note FROM event WHERE issue_id = {issue_id} ORDER BY id;
"""


def export_issues(d: Dialect) -> str:
    """`export issues --format csv`: every issue row of DESIGN §4, by id."""
    return (f"SELECT i.id, i.title, i.description, e.name AS enterprise, i.project, c.code AS category, i.kind, "
            f"i.source, i.priority, i.status, dep.name AS department, i.owner, i.reported_on, i.due_on, "
            f"i.resolved_on, i.resolution, {d.tags('i')} AS tags, i.created_by, i.created_at, i.updated_at "
            f"{NAMES} ORDER BY i.id")


SCORE_PARTS = (("response", "response_rate", True), ("return", "return_rate", False),
               ("extension", "extension_rate", False), ("on_time", "on_time_rate", True),
               ("redo", "redo_rate", False), ("solved", "solved_rate", True),
               ("satisfied", "satisfaction_rate", True))
WEIGHTS = {"response": 15, "return": 10, "extension": 10, "on_time": 25, "redo": 10, "solved": 15, "satisfied": 15}


def scorecard(d: Dialect, *, since: date, until: date) -> str:
    """`report scorecard --year Y` (by department): the issue figures of each lead department in
    one pass over the year's issues; the dispatches (each department's part in an issue: the
    dispatch rows of one issue, department, part and dispatch time, or the issue's own lead
    when it has no row) in a second; the rates, the weighted score and the rank from those."""
    scope = f"reported_on >= {q(since)} AND reported_on <= {q(until)}"

    def in_time(t: str) -> str:
        return (f"{t}.acknowledged_at IS NOT NULL AND {t}.acknowledge_by IS NOT NULL "
                f"AND {d.day_of(t + '.acknowledged_at')} <= {t}.acknowledge_by")

    deadline = "coalesce(deadline_on, due_on)"
    issues = d.temp("s", f"""SELECT department_id, count(*) AS led,
    count(*) FILTER (WHERE extension_count > 0) AS extended,
    count(*) FILTER (WHERE status = 'resolved') AS resolved,
    count(*) FILTER (WHERE status = 'resolved' AND resolved_on IS NOT NULL AND {deadline} IS NOT NULL)
      AS with_deadline,
    count(*) FILTER (WHERE status = 'resolved' AND resolved_on IS NOT NULL AND resolved_on <= {deadline}) AS on_time,
    count(*) FILTER (WHERE status = 'resolved' OR reopen_count > 0) AS closed_out,
    count(*) FILTER (WHERE reopen_count > 0) AS redone,
    count(*) FILTER (WHERE callback_result IS NOT NULL AND callback_solved IS NOT NULL) AS answers,
    count(*) FILTER (WHERE callback_result IS NOT NULL AND callback_solved = 'solved') AS solved,
    count(*) FILTER (WHERE callback_result IS NOT NULL AND callback_solved = 'partly') AS partly,
    count(*) FILTER (WHERE callback_result IS NOT NULL) AS reached,
    count(*) FILTER (WHERE callback_result IN ('satisfied', 'basic')) AS satisfied
  FROM issue WHERE {scope} AND department_id IS NOT NULL GROUP BY department_id""")
    active = "d.active = 1" if d.sqlite else "d.active"
    dispatches = d.temp("u", f"""SELECT department_id, count(*) AS dispatched, sum(ok) AS in_time,
    sum(back) AS returned FROM (
    SELECT d.department_id, max(CASE WHEN {in_time('d')} THEN 1 ELSE 0 END) AS ok,
      max(CASE WHEN d.returned_at IS NOT NULL THEN 1 ELSE 0 END) AS back
    FROM dispatch d WHERE d.issue_id IN (SELECT id FROM issue WHERE {scope})
    GROUP BY d.issue_id, d.department_id, d.role, d.dispatched_at
    UNION ALL
    SELECT i.department_id, CASE WHEN {in_time('i')} THEN 1 ELSE 0 END, 0 FROM issue i
    WHERE i.reported_on >= {q(since)} AND i.reported_on <= {q(until)} AND i.department_id IS NOT NULL AND i.dispatched_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM dispatch d WHERE d.issue_id = i.id AND d.role = 'lead' AND {active}
                      AND d.department_id = i.department_id)) AS units GROUP BY department_id""")
    rate = {"response_rate": ("in_time", "dispatched"), "return_rate": ("returned", "dispatched"),
            "extension_rate": ("extended", "led"), "on_time_rate": ("on_time", "with_deadline"),
            "redo_rate": ("redone", "closed_out"), "satisfaction_rate": ("satisfied", "reached")}
    rates = ",\n    ".join(f"round(1.0 * coalesce({n}, 0) / nullif({m}, 0), 4) AS {name}"
                           for name, (n, m) in rate.items())
    rates += ",\n    round((coalesce(solved, 0) + coalesce(partly, 0) / 2.0) / nullif(answers, 0), 4) AS solved_rate"
    turned = {part: (field if better else f"(1 - {field})") for part, field, better in SCORE_PARTS}
    weighted = " + ".join(f"coalesce({WEIGHTS[p]} * {turned[p]}, 0)" for p, _, _ in SCORE_PARTS)
    weights = " + ".join(f"CASE WHEN {field} IS NULL THEN 0 ELSE {WEIGHTS[p]} END" for p, field, _ in SCORE_PARTS)
    return issues + dispatches + f"""SELECT rank() OVER (ORDER BY score DESC) AS rank, * FROM (
  SELECT name, round(100.0 * ({weighted}) / nullif({weights}, 0), 1) AS score, * FROM (
    SELECT dep.name, coalesce(u.dispatched, 0) AS dispatched, coalesce(u.in_time, 0) AS in_time,
      coalesce(u.returned, 0) AS returned, s.*,
    {rates}
    FROM department dep LEFT JOIN s ON s.department_id = dep.id LEFT JOIN u ON u.department_id = dep.id
    WHERE s.department_id IS NOT NULL OR u.department_id IS NOT NULL) AS figures) AS scored
  ORDER BY score IS NULL, score DESC, name;
"""
