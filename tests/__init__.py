from . import test_credit_exposure
from . import test_credit_hold
from . import test_security
