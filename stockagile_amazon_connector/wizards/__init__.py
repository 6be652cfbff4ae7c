from . import amazon_change_warehouse_wizard
from . import stock_return_picking
from . import amazon_developer_guide
from . import res_users_apikeys_description
