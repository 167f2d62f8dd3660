from . import receivable_portal
