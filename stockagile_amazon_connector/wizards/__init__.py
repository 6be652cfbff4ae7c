from . import amazon_change_warehouse_wizard
from . import stock_return_picking
from . import amazon_listing_create_wizard
from . import amazon_listing_create_candidate
from . import amazon_listing_create_attribute
from . import amazon_developer_guide
from . import res_users_apikeys_description
from . import sale_advance_payment_inv
