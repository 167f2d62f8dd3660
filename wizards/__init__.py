from . import receivable_aging_date
from . import receivable_aging_export
from . import receivable_call_result
from . import receivable_credit_hold_wizard
from . import receivable_dispute_wizard
from . import receivable_dunning_run
from . import receivable_hold_override_wizard
from . import receivable_statement_wizard
