from . import receivable_credit_override
from . import receivable_document_override_wizard
from . import receivable_policy
from . import stock_picking
