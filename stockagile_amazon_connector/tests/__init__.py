from . import test_amazon_account
from . import test_amazon_account_tour
from . import test_catalog_sync
from . import test_catalog_tours
