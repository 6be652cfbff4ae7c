from . import test_sendcloud_label
from . import test_sendcloud_tour
from . import test_sendcloud_keys
from . import test_sendcloud_erasure
from . import test_sendcloud_once
from . import test_sendcloud_spanish
