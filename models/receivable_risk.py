import logging

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.tools import SQL

from . import risk_formulas
from .night_runs import commit_run_progress
from .night_runs import retry_on_conflict
from .night_runs import run_per_company
from .receivable_risk_snapshot import CONTRIBUTION_FIELDS

_logger = logging.getLogger(__name__)

# Partners scored, stored and committed per batch.
RISK_BATCH = 5000
MANAGER_GROUP = "account_receivable_control.group_credit_manager"


def _pg_array(values):
    """PostgreSQL's text form of a one-dimensional array of numbers or plain strings (class
    letters): ``{1,2.5,NULL,"A"}``. Numbers as Python writes them (the shortest form that
    reads back the same float)."""

    def element(value):
        if value is None:
            return "NULL"
        if isinstance(value, str):
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            return f'"{escaped}"'
        return str(value)

    return "{" + ",".join(map(element, values)) + "}"


class ReceivableRiskEngine(models.AbstractModel):
    """Risk scores, set-based: one SQL query reads every partner's figures, Python applies
    ``risk_formulas`` (normalisation, weights, classes), then each batch of partners gets its
    snapshots inserted and its current score and class written in one statement each."""

    _name = "receivable.risk.engine"
    _description = "Risk Score Engine"

    # ------------------------------------------------------------------------------------------
    # Components
    # ------------------------------------------------------------------------------------------
    @api.model
    def _components_query(self, company, date, partner_ids=None, skip_scored=False):
        """SQL of one row per commercial partner with its raw risk figures at ``date``.

        Every receivable figure is the facts' (``receivable.facts``, scope: the company and
        its branches): paid items of the current and previous windows (delay = payment date
        - due date), open items (overdue = the items more than 0 days late, credits
        included; oldest overdue = the earliest due date of an overdue debit), the applied
        credit limit. Partners scored: those with an open item or an item paid in either
        window.
        """
        facts = self.env["receivable.facts"]
        months = company.receivable_risk_window_months or 12
        start = date - relativedelta(months=months)
        previous_start = start - relativedelta(months=months)
        scope = facts._scope_company_ids(company)
        scored_filter = SQL("TRUE")
        if skip_scored:
            scored_filter = SQL(
                """NOT EXISTS (SELECT 1 FROM receivable_risk_snapshot s
                                WHERE s.partner_id = cp.id AND s.company_id = %s
                                  AND s.date = %s)""",
                company.id,
                date,
            )
        return SQL(
            """
            WITH level_rank AS (
                SELECT level.id,
                       CASE WHEN level.offset_days <= 0 THEN 0 ELSE (
                           SELECT COUNT(*) FROM receivable_dunning_level other
                            WHERE other.policy_id = level.policy_id
                              AND other.offset_days > 0
                              AND other.offset_days <= level.offset_days) END AS rank
                  FROM receivable_dunning_level level
            ),
            paid AS (
                SELECT partner_id, balance, date, days_late AS delay,
                       pay_date > %(start)s::date AS current
                  FROM (%(paid_items)s) paid_items
            ),
            paid_agg AS (
                SELECT partner_id,
                       MIN(date) AS first_date,
                       COUNT(*) FILTER (WHERE current) AS paid_count,
                       COUNT(*) FILTER (WHERE current AND delay > 0) AS late_count,
                       SUM(balance * GREATEST(delay, 0)) FILTER (WHERE current)
                           / NULLIF(SUM(balance) FILTER (WHERE current), 0) AS avg_late,
                       SUM(balance * delay) FILTER (WHERE current)
                           / NULLIF(SUM(balance) FILTER (WHERE current), 0) AS avg_delay,
                       SUM(balance * GREATEST(delay, 0)) FILTER (WHERE NOT current)
                           / NULLIF(SUM(balance) FILTER (WHERE NOT current), 0) AS prev_avg_late
                  FROM paid
              GROUP BY partner_id
            ),
            open_agg AS (
                SELECT items.partner_id,
                       MIN(items.date) AS first_date,
                       SUM(items.amount_residual) FILTER (WHERE items.days_late > 0) AS overdue,
                       MIN(items.date_maturity)
                           FILTER (WHERE items.days_late > 0 AND items.amount_residual > 0)
                           AS oldest_due,
                       MAX(level_rank.rank) FILTER (WHERE items.amount_residual > 0)
                           AS dunning_rank,
                       COUNT(*) FILTER (WHERE items.dispute AND items.amount_residual > 0)
                           AS disputes
                  FROM (%(open_items)s) items
             LEFT JOIN level_rank ON level_rank.id = items.dunning_level_id
                 WHERE items.partner_id IS NOT NULL
              GROUP BY items.partner_id
            ),
            broken AS (
                SELECT promise.partner_id, COUNT(*) AS broken
                  FROM receivable_promise promise
                 WHERE promise.company_id IN %(scope)s
                   AND promise.state = 'broken'
                   AND promise.promise_date > %(start)s::date
                   AND promise.promise_date <= %(date)s::date
              GROUP BY promise.partner_id
            ),
            figures AS (
                SELECT COALESCE(o.partner_id, pa.partner_id) AS partner_id,
                       LEAST(o.first_date, pa.first_date) AS first_date,
                       COALESCE(pa.paid_count, 0) AS paid_count,
                       COALESCE(pa.late_count, 0) AS late_count,
                       pa.avg_late, pa.avg_delay, pa.prev_avg_late,
                       COALESCE(o.overdue, 0) AS overdue,
                       o.oldest_due,
                       COALESCE(o.dunning_rank, 0) AS dunning_rank,
                       COALESCE(o.disputes, 0) AS disputes
                  FROM open_agg o
             FULL JOIN paid_agg pa ON pa.partner_id = o.partner_id
            )
            SELECT f.partner_id,
                   f.paid_count,
                   f.late_count,
                   f.avg_late::float AS avg_late,
                   f.avg_delay::float AS avg_delay,
                   f.prev_avg_late::float AS prev_avg_late,
                   f.overdue::float AS overdue,
                   COALESCE(%(date)s::date - f.oldest_due, 0) AS oldest_overdue,
                   f.dunning_rank,
                   f.disputes + COALESCE(b.broken, 0) AS incidents,
                   %(date)s::date - LEAST(f.first_date, cp.create_date::date) AS age_days,
                   %(credit_limit)s AS credit_limit,
                   %(previous_class)s AS previous_class,
                   COALESCE(%(on_hold)s, FALSE) AS on_hold
              FROM figures f
              JOIN res_partner cp ON cp.id = f.partner_id
         LEFT JOIN broken b ON b.partner_id = f.partner_id
              %(policy_join)s
             WHERE %(scored_filter)s
          ORDER BY f.partner_id
            """,
            scope=scope,
            date=date,
            start=start,
            scored_filter=scored_filter,
            paid_items=facts._paid_items_query(company, previous_start, date, partner_ids),
            open_items=facts._open_items_query(date, company, partner_ids, as_of=False),
            credit_limit=facts._applied_limit_sql(company),
            previous_class=facts._col("res.partner", "cp", "receivable_risk_class", company),
            on_hold=facts._col("res.partner", "cp", "credit_on_hold", company),
            policy_join=facts._policy_join_sql(company),
        )

    @api.model
    def _compute_components(self, company, date, partner_ids=None, skip_scored=False):
        """[{partner_id, raw figures...}] of the partners of ``company`` at ``date``."""
        # The facts' columns carry their fields (flushed by execute_query); the parts
        # written here read the ladder, the promises and the snapshots.
        self.env["receivable.dunning.level"].flush_model(["policy_id", "offset_days"])
        self.env["receivable.promise"].flush_model(
            ["partner_id", "company_id", "state", "promise_date"]
        )
        self.env["receivable.risk.snapshot"].flush_model(["partner_id", "company_id", "date"])
        self.env["res.partner"].flush_model(["create_date"])
        rows = self.env.execute_query_dict(
            self._components_query(company, date, partner_ids, skip_scored)
        )
        for row in rows:
            row["late_share"] = row["late_count"] / row["paid_count"] if row["paid_count"] else 0.0
        return rows

    # ------------------------------------------------------------------------------------------
    # Recompute
    # ------------------------------------------------------------------------------------------
    @api.model
    def _recompute_scores(self, company, date, partner_ids=None, commit=False, skip_scored=False):
        """Score the partners of ``company`` at ``date``: one snapshot each, current score and
        class on the partner, alerts on class changes. Return the number of partners scored.

        ``commit``: commit each batch with the cron's progress (a stopped cron resumes, with
        ``skip_scored``, at the partners not scored on ``date``).
        """
        engine = self.with_company(company)
        rows = engine._compute_components(company, date, partner_ids, skip_scored)
        weights = company._get_receivable_risk_weights()
        bounds = company._get_receivable_risk_bounds()
        run_id = engine._next_run_id(company)
        run_at = fields.Datetime.now()
        done = 0
        for start in range(0, len(rows), RISK_BATCH):
            batch = rows[start : start + RISK_BATCH]

            def store(batch=batch, start=start):
                results = []
                for row in batch:
                    score, letter, contributions, _components = risk_formulas.evaluate(
                        row, weights, bounds
                    )
                    results.append((row, score, letter, contributions))
                engine._store_snapshots(company, date, run_id, run_at, results)
                engine._store_partner_scores(company, results)
                engine._apply_class_changes(company, results)
                if commit:
                    remaining = len(rows) - start - len(batch)
                    commit_run_progress(self.env, len(batch), remaining)
                return True

            # A batch hit by another transaction (the dunning run, a user) is rolled back
            # whole and tried again: never half a batch of snapshots and scores.
            if retry_on_conflict(self.env, store, commit, "Risk scoring"):
                done += len(batch)
            if commit:
                self.env.invalidate_all()
        return done

    @api.model
    def _next_run_id(self, company):
        rows = self.env.execute_query(
            SQL(
                "SELECT COALESCE(MAX(run_id), 0) + 1 FROM receivable_risk_snapshot"
                " WHERE company_id = %s",
                company.id,
            )
        )
        return rows[0][0]

    @api.model
    def _store_snapshots(self, company, date, run_id, run_at, results):
        """INSERT the batch's snapshots in one statement: each column travels as one array
        parameter in PostgreSQL's text form (``unnest``), which it parses several times faster
        than JSON records (``jsonb_to_recordset``) or as many literals. Same types as before:
        the stored values are unchanged."""
        if not results:
            return
        columns = {
            "partner_id": "int4",
            "score": "float8",
            "risk_class": "text",
            "avg_late_days": "float8",
            "late_share": "float8",
            "paid_count": "int4",
            "overdue_amount": "numeric",
            "credit_limit": "numeric",
            "oldest_overdue_days": "int4",
            "dunning_rank": "int4",
            "incident_count": "int4",
            "prev_avg_late_days": "float8",
            "customer_age_days": "int4",
            **dict.fromkeys(CONTRIBUTION_FIELDS.values(), "float8"),
        }
        records = [
            (
                row["partner_id"],
                score,
                letter,
                round(row["avg_late"] or 0.0, 1),
                round(100.0 * row["late_share"], 1),
                row["paid_count"],
                round(row["overdue"] or 0.0, 2),
                round(row["credit_limit"] or 0.0, 2),
                row["oldest_overdue"],
                row["dunning_rank"],
                row["incidents"],
                round(row["prev_avg_late"] or 0.0, 1),
                row["age_days"],
                *(contributions[name] for name in CONTRIBUTION_FIELDS),
            )
            for row, score, letter, contributions in results
        ]
        by_column = zip(*records, strict=True)
        names = SQL(", ").join(SQL.identifier(name) for name in columns)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO receivable_risk_snapshot
                       (company_id, date, run_id, run_at, create_uid, create_date, write_uid,
                        write_date, %(names)s)
                SELECT %(company)s, %(date)s, %(run_id)s, %(run_at)s, %(uid)s, %(run_at)s,
                       %(uid)s, %(run_at)s, %(names)s
                  FROM unnest(%(arrays)s) AS v(%(names)s)
                """,
                names=names,
                arrays=SQL(", ").join(
                    SQL("%s::" + sql_type + "[]", _pg_array(values))
                    for sql_type, values in zip(columns.values(), by_column, strict=True)
                ),
                company=company.id,
                date=date,
                run_id=run_id,
                run_at=run_at,
                uid=self.env.uid,
            )
        )
        self.env["receivable.risk.snapshot"].invalidate_model()

    @api.model
    def _store_partner_scores(self, company, results):
        """Write the current score and class of the batch's partners (company-dependent
        jsonb, keyed by the company id) in one UPDATE; unchanged partners are not rewritten.
        The batch travels as arrays, as the snapshots do."""
        if not results:
            return
        cid = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner p
                   SET receivable_risk_score = COALESCE(p.receivable_risk_score, '{}'::jsonb)
                           || jsonb_build_object(%(cid)s, v.score),
                       receivable_risk_class = COALESCE(p.receivable_risk_class, '{}'::jsonb)
                           || jsonb_build_object(%(cid)s, v.risk_class)
                  FROM unnest(%(ids)s::int4[], %(scores)s::float8[], %(classes)s::text[])
                       AS v(id, score, risk_class)
                 WHERE p.id = v.id
                   -- the batch's partners through the primary key, not a scan of all
                   AND p.id = ANY(%(ids)s::int4[])
                   AND ((p.receivable_risk_score ->> %(cid)s)::float8 IS DISTINCT FROM v.score
                        OR (p.receivable_risk_class ->> %(cid)s) IS DISTINCT FROM v.risk_class)
                """,
                cid=cid,
                ids=_pg_array([row["partner_id"] for row, *_result in results]),
                scores=_pg_array([score for _row, score, *_result in results]),
                classes=_pg_array([letter for _row, _score, letter, _contributions in results]),
            )
        )
        self.env["res.partner"].invalidate_model(["receivable_risk_score", "receivable_risk_class"])

    @api.model
    def _apply_class_changes(self, company, results):
        """A worse class than before: an activity for the risk manager; reaching the hold
        class (the customer's policy's, else the company's): an automatic credit hold."""
        worse, changed = [], []
        for row, score, letter, _contributions in results:
            previous = row["previous_class"]
            if previous and letter > previous:
                worse.append((row["partner_id"], previous, letter, score))
            if letter != previous and not row["on_hold"]:
                changed.append((row["partner_id"], letter, score))
        if worse and company.receivable_risk_activity:
            self._create_class_activities(company, worse)
        if not company.receivable_hold_enforcement:
            return  # no automatic hold in this company, whatever its cause
        holding = company.receivable_risk_hold_class or self.env["receivable.policy"].search_count(
            [("company_id", "=", company.id), ("risk_hold_class", "!=", False)], limit=1
        )
        if not holding:
            return
        # One recordset, so the policies of all the changed customers are read together.
        partners = (
            self.env["res.partner"]
            .with_company(company)
            .browse([partner_id for partner_id, _letter, _score in changed])
        )
        for partner, (_partner_id, letter, score) in zip(partners, changed, strict=True):
            hold_class = partner._get_risk_hold_class()
            if not hold_class or letter < hold_class:
                continue
            partner._put_on_credit_hold(
                [("risk_class", {"letter": letter, "score": score, "hold": hold_class})],
                origin="auto",
            )

    @api.model
    def _get_risk_user(self, company):
        """Who gets the class-change activities: the company's risk manager, else the first
        Credit Manager of the company (by id)."""
        if company.receivable_risk_user_id:
            return company.receivable_risk_user_id
        group = self.env.ref(MANAGER_GROUP, raise_if_not_found=False)
        if not group:
            return self.env["res.users"]
        group = group.sudo()
        # Members of the group itself first, then those who have it through another group
        # (Accounting Administrators).
        for users in (group.user_ids, group.all_user_ids):
            users = users.filtered(lambda u: not u.share and company in u.company_ids)
            if users:
                return users.sorted("id")[:1]
        return self.env["res.users"]

    @api.model
    def _create_class_activities(self, company, changes):
        user = self._get_risk_user(company)
        if not user:
            return self.env["mail.activity"]
        activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id("res.partner")
        today = fields.Date.context_today(self)
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": partner_id,
                "activity_type_id": activity_type.id if activity_type else False,
                "user_id": user.id,
                "date_deadline": today,
                "summary": self.env._(
                    "Risk class %(previous)s → %(letter)s (%(company)s)",
                    previous=previous,
                    letter=letter,
                    company=company.name,
                ),
                "note": Markup("<p>%s</p>")
                % self.env._(
                    "The risk score is now %(score)s: review the credit of this customer.",
                    score=score,
                ),
            }
            for partner_id, previous, letter, score in changes
        ]
        # sudo: the engine runs as the cron user; the activities are for the risk manager
        return (
            self.env["mail.activity"]
            .sudo()
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )

    # ------------------------------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------------------------------
    @api.model
    def _get_risk_companies(self):
        # sudo: the nightly run covers every company
        return self.env["res.company"].sudo().search([])

    @api.model
    def _cron_recompute_scores(self):
        """Daily: every company's risk scores (committed batches; a second run the same day
        resumes at the partners not scored yet) and the expected payment dates. The cron's
        time limit holds for the whole run: when it is up, no company is started."""
        today = fields.Date.context_today(self)

        def score_and_predict(engine, company):
            engine._recompute_scores(company, today, commit=True, skip_scored=True)

            def predict():
                engine.env["account.move"]._compute_expected_payment_dates_company(company, today)
                commit_run_progress(engine.env, 0, 0)
                return True

            retry_on_conflict(self.env, predict, True, "Expected payment dates")

        run_per_company(self, self._get_risk_companies(), score_and_predict, "Risk scoring")
