from . import test_amazon_account
from . import test_amazon_account_tour
