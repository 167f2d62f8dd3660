from . import account_move
from . import account_move_line
from . import receivable_credit_limit_request
from . import receivable_policy
from . import res_company
from . import res_config_settings
from . import res_partner
