from . import amazon_sendcloud_carrier
from . import sendcloud_request
from . import sendcloud_integration
from . import sendcloud_parcel
from . import delivery_carrier
from . import stock_warehouse
from . import stock_picking
from . import sale_order
