"""Odoo's company check (``check_company=True`` fields) read for a whole batch at once.

Odoo's ``_check_company`` filters the linked records of each record on its own
(``filtered_domain`` per record and per field, with the company's parents looked up each
time): the dunning run creates reminders and their lines by the thousand, and that check took
half of the creation's time. ``company_suspects`` applies the same domain
(``_check_company_domain`` of the linked model, the record's company, inactive records
included) once per field and company to all the linked records of the batch; the records it
cannot clear go through Odoo's own check, which raises its usual error. Nothing is skipped:
a record is cleared only when each of its linked records passed the same domain.
"""

from collections import defaultdict


def company_suspects(records, fnames=None):
    """The records of ``records`` whose company check may fail, for Odoo's ``_check_company``
    to judge (and to word the error). Same field selection as Odoo's check; models it does not
    handle in the same way (company-dependent fields, no ``company_id``) are all returned."""
    if fnames is None or {"company_id", "company_ids"} & set(fnames):
        fnames = records._fields
    fields = [
        records._fields[name]
        for name in fnames
        if records._fields[name].relational and records._fields[name].check_company
    ]
    if not fields or not records:
        return records.browse()
    if (
        records._name == "res.company"
        or "company_id" not in records._fields
        or any(field.company_dependent for field in fields)
    ):
        return records
    suspect_ids = set()
    # sudo: as Odoo's own check, which reads the linked records' companies as superuser
    sudo_records = records.sudo()
    for field in fields:
        linked_by_company = defaultdict(dict)
        for record in sudo_records:
            linked_ids = record[field.name]._ids
            if linked_ids:
                linked_by_company[record.company_id][record.id] = linked_ids
        comodel = records.env[field.comodel_name].sudo().with_context(active_test=False)
        for companies, linked in linked_by_company.items():
            linked_records = comodel.browse(
                list(dict.fromkeys(i for ids in linked.values() for i in ids))
            )
            domain = linked_records._check_company_domain(companies)
            if not domain:
                continue
            allowed = set(linked_records.filtered_domain(domain)._ids)
            suspect_ids.update(
                record_id for record_id, ids in linked.items() if not allowed.issuperset(ids)
            )
    return records.browse([record_id for record_id in records._ids if record_id in suspect_ids])
