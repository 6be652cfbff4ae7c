from . import amazon_change_warehouse_wizard
