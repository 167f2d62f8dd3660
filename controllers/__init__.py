from . import portal
from . import screens
