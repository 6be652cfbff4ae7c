from . import amazon_change_warehouse_wizard
from . import stock_return_picking
