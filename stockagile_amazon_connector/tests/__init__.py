from . import test_amazon_account
from . import test_amazon_account_tour
from . import test_catalog_sync
from . import test_catalog_tours
from . import test_security
from . import test_order_import
from . import test_order_tools
from . import test_shipping
