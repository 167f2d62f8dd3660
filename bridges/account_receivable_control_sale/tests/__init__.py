from . import test_sale_credit
from . import test_sale_payment
from . import test_sale_tours
