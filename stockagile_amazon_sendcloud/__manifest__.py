{
    "name": "Stockagile Amazon Connector - Sendcloud",
    "summary": "Label Amazon orders with Sendcloud (OCA delivery_sendcloud_oca) and confirm "
    "each parcel on Amazon with its tracking number",
    "version": "1.1.0",
    "category": "Operations/Inventory/Delivery",
    "author": "Stockagile",
    "website": "https://stockagile.example",
    "license": "LGPL-3",
    "depends": ["stockagile_amazon_connector", "delivery_sendcloud_oca"],
    "data": [
        "security/ir.model.access.csv",
        "data/amazon_sendcloud_carrier_data.xml",
        "data/ir_actions_server_data.xml",
        "views/amazon_sendcloud_carrier_views.xml",
        "views/stock_picking_views.xml",
        "views/sale_order_views.xml",
        "views/stock_warehouse_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "stockagile_amazon_sendcloud/static/src/tours/*.js",
        ],
    },
    "auto_install": True,
    "installable": True,
}
