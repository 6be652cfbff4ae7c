from . import models
from . import wizards
from . import queue_job_compat

queue_job_compat.apply()
