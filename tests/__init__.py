from . import test_credit_exposure
from . import test_credit_hold
from . import test_credit_limit_request
from . import test_credit_multicompany
from . import test_credit_performance
from . import test_credit_validation
from . import test_menus
from . import test_security
