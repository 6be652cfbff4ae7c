# The connector's own models
from . import amazon_job_mixin
from . import amazon_binding_mixin
from . import amazon_marketplace
from . import amazon_account
from . import amazon_account_overview
from . import amazon_account_price_floor
from . import amazon_account_price_sync
from . import amazon_account_credentials
from . import amazon_rate_bucket
from . import amazon_listing
from . import amazon_offer
from . import amazon_offer_withdrawal
from . import amazon_listing_change
from . import amazon_feed
from . import amazon_sync_engine
from . import amazon_order_mapper
from . import amazon_order
from . import amazon_order_importer
from . import amazon_buyer_change
from . import amazon_shipment
from . import amazon_return
from . import amazon_return_line
from . import amazon_returns_importer
from . import amazon_product_type
from . import amazon_listing_creation
from . import amazon_notification
from . import amazon_account_notification
from . import amazon_price_watch
from . import amazon_invoice_upload
from . import amazon_account_invoicing

# The host ERP's models, extended
from . import account_move
from . import product_pricelist
from . import product_pricelist_item
from . import product_product
from . import product_template
from . import product_template_attribute_value
from . import res_currency_rate
from . import res_groups
from . import res_partner
from . import res_users
from . import sale_order
from . import sale_order_erasure
from . import sale_order_line
from . import stock_picking
from . import stock_quant
from . import stock_warehouse
from . import queue_job

# Reports: SQL views over the models above (their columns must exist first)
from . import amazon_activity_report
