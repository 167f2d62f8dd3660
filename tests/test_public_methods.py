"""Every public method of the module is an RPC endpoint: it refuses portal users and internal
users without the module's groups.

The methods are read from the registry, so a new public method without a guard fails here."""

from odoo import models
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .access_common import MODULE_PACKAGE
from .access_common import AccessCommon

# Arguments of the methods whose parameters have no default (the others are called without);
# ``write`` rewrites a field of the record with its own value (see ``_arguments``).
ARGUMENTS = {
    "create": ([{}],),
    "search_fetch": ([], ["id"]),
    "formatted_read_grouping_sets": ([], [[]], ["__count"]),
    "get_empty_list_help": ("",),
}
# Results that carry nothing: a method of records called on no record that did nothing.
EMPTY_RESULTS = (None, False, True)

# Public methods that return nothing of the company's data, whoever calls them. Keep it short:
# every entry says why it is safe.
ALLOWED = {
    # Override of Odoo's fields_get (the labels of the aging buckets): field descriptions,
    # which Odoo gives to every user of the web client; Odoo filters out the fields of groups
    # the user is not in.
    ("receivable.aging", "fields_get"),
    # Override of res.company.cache_invalidation_fields (field names that invalidate Odoo's
    # caches): a set of field names, no data.
    ("res.company", "cache_invalidation_fields"),
}


class _Returned(Exception):
    """Raised to roll back the savepoint of a call that did not raise."""

    def __init__(self, result):
        super().__init__()
        self.result = result


def public_methods(registry):
    """[(model, method name, is @api.model)] of every public method defined in the module's
    Python package, on its own models and on the models it extends."""
    found = []
    for name in sorted(registry):
        model_class = registry[name]
        names = set()
        for cls in model_class.__mro__:
            # The module's package only: not the bridges (account_receivable_control_sale...),
            # whose own tests check their methods.
            module = cls.__module__ or ""
            if not (module == MODULE_PACKAGE or module.startswith(f"{MODULE_PACKAGE}.")):
                continue
            names.update(
                attr
                for attr, value in vars(cls).items()
                if not attr.startswith("_") and callable(value) and not isinstance(value, type)
            )
        for attr in sorted(names):
            method = getattr(model_class, attr)
            # As odoo.service.model.get_public_method: private when any class marks it so.
            if any(
                getattr(getattr(cls, attr, None), "_api_private", False)
                for cls in model_class.__mro__
            ):
                continue
            found.append((name, attr, bool(getattr(method, "_api_model", False))))
    return found


@tagged("post_install", "-at_install")
class TestPublicMethods(AccessCommon):
    def test_inventory_is_read_from_the_registry(self):
        """The enumeration sees the module's methods, the ones added to Odoo's models too, and
        leaves out the private ones."""
        methods = {(model, name) for model, name, _api_model in public_methods(self.registry)}
        self.assertIn(("receivable.cash.forecast", "get_forecast_data"), methods)
        self.assertIn(("res.partner", "action_send_reminder_now"), methods)
        self.assertIn(("account.move", "action_resolve_dispute"), methods)
        self.assertNotIn(("res.partner", "action_archive"), methods)  # Odoo's, not ours
        self.assertFalse([item for item in methods if item[1].startswith("_")])

    def test_every_public_method_refuses_users_without_our_groups(self):
        leaks = []
        for model, name, api_model in public_methods(self.registry):
            if (model, name) in ALLOWED:
                continue
            record = self.env[model] if api_model else self.records.get(model, self.env[model])
            if not api_model and not self.env[model]._abstract:
                self.assertTrue(record, f"add a record of {model} to AccessCommon")
            targets = [record] if api_model or not record else [record, record.browse()]
            for user in (self.portal, self.internal):
                for target in targets:
                    outcome = self._call(target.with_user(user), name)
                    if outcome is not None:
                        leaks.append(f"{model}.{name} as {user.login} on {target.ids}: {outcome}")
        self.assertFalse(leaks, "public methods without a guard:\n" + "\n".join(leaks))

    def _arguments(self, records, name):
        if name != "write":
            return ARGUMENTS.get(name, ())
        # A plain stored field the user could type in, rewritten with its value: a write
        # that ACL and record rules must refuse (an empty ``write({})`` does nothing).
        for field_name, field in records._fields.items():
            if (
                field.store
                and not field.compute
                and not field.readonly
                and field.type in ("char", "text", "date", "integer", "float", "boolean")
                and field_name not in models.MAGIC_COLUMNS
            ):
                return ({field_name: records.sudo()[:1][field_name]},)
        return ({},)

    def _call(self, records, name):
        """None when the call is refused (AccessError), or harmless: a method of records
        called on none that does nothing or stops at ``ensure_one``. Otherwise what the call
        did."""
        try:
            with self.env.cr.savepoint():
                raise _Returned(getattr(records, name)(*self._arguments(records, name)))
        except AccessError:
            return None
        except _Returned as returned:
            if not records and returned.result in EMPTY_RESULTS:
                return None
            return f"returned {returned.result!r:.200}"
        except ValueError as error:
            if not records and "Expected singleton" in str(error):
                return None
            return f"raised {error!r:.200}"
        except Exception as error:
            return f"raised {error!r:.200}"
        finally:
            self.env.invalidate_all(flush=False)
