"""Guards of the module's public methods.

Every method without a leading underscore is a JSON-RPC endpoint (``/web/dataset/call_kw``),
callable by any logged-in user with any arguments and any context. The helpers below are the
first line of such a method when neither the model's access rights nor its record rules protect
it (methods of ``res.partner`` or ``account.move``, ``@api.model`` methods of abstract models,
methods that work on an empty recordset). ``tests/test_public_methods.py`` calls every public
method of the module as a portal user and as an internal user without our groups.
"""

from odoo.exceptions import AccessError

CONTROLLER_GROUP = "account_receivable_control.group_credit_controller"
MANAGER_GROUP = "account_receivable_control.group_credit_manager"


def check_receivable_group(env, group=CONTROLLER_GROUP):
    """Raise ``AccessError`` unless the current user belongs to ``group`` (Credit Controller
    by default). The superuser (crons, ``sudo()`` callers) passes."""
    if env.su or env.user.has_group(group):
        return
    raise AccessError(
        env._(
            "Only the group %(group)s may do this in receivable control.",
            group=env.ref(group).sudo().display_name,
        )
    )


def check_receivable_company(env, company):
    """Raise ``AccessError`` unless ``company`` is one of the companies the user works in
    (the companies of the request, themselves checked against the user's companies)."""
    if env.su or not company:
        return
    if company - env.companies:
        raise AccessError(
            env._(
                "You may not read the receivables of %(company)s.",
                company=company.sudo().display_name,
            )
        )
