"""Odoo's company check (``check_company=True`` fields) read for a whole batch at once.

Odoo's ``_check_company`` filters the linked records of each record on its own
(``filtered_domain`` per record and per field, with the company's parents looked up each
time): the dunning run creates reminders and their lines by the thousand, and that check took
half of the creation's time. ``company_suspects`` applies the same domain
(``_check_company_domain`` of the linked model, the record's company, inactive records
included) in one query per field and company to all the linked records of the batch, which
returns those it refuses (``company_suspects_in_rows``: read from the values of records just
inserted); the records linked to one go through Odoo's own check, which raises its usual
error. Nothing is skipped: a record is cleared only when none of its linked records fails
the same domain.
"""

from collections import defaultdict
from itertools import chain

from odoo.fields import Domain
from odoo.tools import SQL


def _checked_fields(model, fnames):
    """The fields Odoo's ``_check_company`` checks for ``fnames``; None for the models this
    module does not handle in the same way (company-dependent fields, no ``company_id``)."""
    if fnames is None or {"company_id", "company_ids"} & set(fnames):
        fnames = model._fields
    fields = [
        model._fields[name]
        for name in fnames
        if model._fields[name].relational and model._fields[name].check_company
    ]
    if fields and (
        model._name == "res.company"
        or "company_id" not in model._fields
        or any(field.company_dependent for field in fields)
    ):
        return None
    return fields


def _refused_ids(comodel, company_id, linked_ids):
    """Those of ``linked_ids`` the domain of ``comodel``'s company check refuses for
    ``company_id`` (inactive records included), in one query."""
    domain = comodel._check_company_domain(company_id)
    if not domain or not linked_ids:
        return set()
    # sudo: as Odoo's own check, which reads the linked records' companies as superuser
    comodel = comodel.sudo().with_context(active_test=False)
    query = comodel._search(~Domain(domain))
    query.add_where(SQL("%s = ANY(%s)", SQL.identifier(comodel._table, "id"), list(linked_ids)))
    return set(query.get_result_ids())


def _suspect_ids(comodel, linked_by_company):
    """Ids of the records whose linked records (``linked_by_company``: {company id: {record
    id: linked ids}}) are not all allowed for the record's company by the domain of
    ``comodel``'s company check, read in one query per company."""
    suspect_ids = set()
    for company_id, linked in linked_by_company.items():
        refused = _refused_ids(comodel, company_id, {i for ids in linked.values() for i in ids})
        suspect_ids.update(record_id for record_id, ids in linked.items() if refused & set(ids))
    return suspect_ids


def company_suspects(records, fnames=None):
    """The records of ``records`` whose company check may fail, for Odoo's ``_check_company``
    to judge (and to word the error). Same field selection as Odoo's check; models it does not
    handle in the same way (company-dependent fields, no ``company_id``) are all returned."""
    fields = _checked_fields(records, fnames)
    if fields is None:
        return records
    if not fields or not records:
        return records.browse()
    suspect_ids = set()
    # sudo: as Odoo's own check, which reads the linked records as superuser
    sudo_records = records.sudo()
    for field in fields:
        linked_by_company = defaultdict(dict)
        for record in sudo_records:
            linked_ids = record[field.name]._ids
            if linked_ids:
                linked_by_company[record.company_id.id][record.id] = linked_ids
        suspect_ids |= _suspect_ids(records.env[field.comodel_name], linked_by_company)
    return records.browse([record_id for record_id in records._ids if record_id in suspect_ids])


def company_suspects_in_rows(records, rows, fnames):
    """``company_suspects`` of ``records`` just inserted from ``rows`` (their values as
    ``create`` takes them, in the same order), read from the rows: no record read one by
    one. Relational values other than many2one ids go to Odoo's check."""
    fields = _checked_fields(records, fnames)
    present = set(chain.from_iterable(rows))
    fields = fields and [field for field in fields if field.name in present]
    if fields is None or any(field.type != "many2one" for field in fields):
        return records
    if fields and "company_id" not in present:
        return records
    suspect_ids = set()
    companies = {row.get("company_id") or False for row in rows}
    for field in fields:
        # The distinct values per company first (most rows share them), the rows only when
        # one of them is refused.
        if len(companies) == 1:  # the run's batches: one set comprehension a field
            (company_id,) = companies
            linked = {company_id: {row.get(field.name) for row in rows} - {None, False}}
        else:
            linked = defaultdict(set)
            for row in rows:
                if row.get(field.name):
                    linked[row.get("company_id") or False].add(row[field.name])
        for company_id, linked_ids in linked.items():
            refused = _refused_ids(records.env[field.comodel_name], company_id, linked_ids)
            suspect_ids.update(
                record_id
                for record_id, row in zip(records._ids, rows, strict=True)
                if refused
                and (row.get("company_id") or False) == company_id
                and row.get(field.name) in refused
            )
    return records.browse([record_id for record_id in records._ids if record_id in suspect_ids])
