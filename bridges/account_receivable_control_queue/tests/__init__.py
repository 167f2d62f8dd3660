from . import test_dunning_jobs
from . import test_night_jobs
