from . import account_move
from . import receivable_dunning_engine
from . import receivable_payment_plan
from . import receivable_risk
from . import res_partner
