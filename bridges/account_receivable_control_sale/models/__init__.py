from . import payment_transaction
from . import receivable_credit_override
from . import receivable_facts
from . import res_partner
from . import sale_order
