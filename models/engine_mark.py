"""The dunning engine's right to write what no user may: a mark no client can forge.

Reminders are the customer's history and the invoices' dunning fields (level, last reminder,
dispute, agency) are the engine's record of it: users change them only through the module's
actions. Those actions and the engine write with the *engine mark* in their context.

Why a context key cannot simply be ``True``: ``/web/dataset/call_kw`` and every other RPC
entry point hand the client's context to the ORM as it came, so any key and any JSON value
(``true``, a string, a number) can be forged by a crafted request. The mark is an instance of a
private ``str`` subclass: JSON-RPC and XML-RPC decode strings to plain ``str`` only, so a
client can send the same characters but never this type, and ``has_engine_mark`` compares the
type, not the value. It stays a ``str`` so that whatever serialises a context (an action sent
back to the web client) keeps working; a context that went through the client comes back as
a plain ``str`` and grants nothing.

Only server code reaches the mark, through the modules' private methods (a leading underscore:
not callable over RPC) that set it after checking what the action requires.
"""

import secrets

ENGINE_CONTEXT_KEY = "receivable_engine_mark"


class _EngineMark(str):
    """The type of the mark: only this module creates an instance."""

    __slots__ = ()


# An unguessable value as well: Odoo reuses an environment whose context compares equal, and
# ``str`` equality ignores the type; a client cannot send a string equal to this one.
ENGINE_MARK = _EngineMark(secrets.token_hex(16))


def with_engine_mark(records):
    """``records`` in an environment whose writes are the engine's (no sudo: the user's
    access rights and record rules still apply)."""
    return records.with_context(**{ENGINE_CONTEXT_KEY: ENGINE_MARK})


def has_engine_mark(env):
    """Whether ``env`` was marked by the module's own code (never true for a client's context)."""
    return type(env.context.get(ENGINE_CONTEXT_KEY)) is _EngineMark
