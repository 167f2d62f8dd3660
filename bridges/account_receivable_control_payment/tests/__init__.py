from . import test_pay_overdue
