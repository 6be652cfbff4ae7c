{
    "name": "Stockagile Amazon Connector",
    "summary": "Real-time stock and prices, orders, shipping and returns with Amazon "
    "Seller Central through the Selling Partner API",
    "version": "18.0.1.0.0",
    "category": "Sales/Sales",
    "author": "Stockagile",
    "website": "https://stockagile.example",
    "license": "LGPL-3",
    "depends": ["sale_management", "stock_delivery", "account"],
    "external_dependencies": {"python": ["python-amazon-sp-api"]},
    "data": [
        "security/amazon_security.xml",
        "security/ir.model.access.csv",
        "data/amazon_marketplace_data.xml",
        "data/amazon_order_data.xml",
        "data/ir_cron_data.xml",
        "data/ir_actions_server_data.xml",
        "views/amazon_marketplace_views.xml",
        "views/amazon_account_views.xml",
        "views/amazon_listing_views.xml",
        "views/product_views.xml",
        "views/sale_order_views.xml",
        "views/amazon_account_order_views.xml",
        "wizards/amazon_change_warehouse_wizard_views.xml",
        "views/amazon_menus.xml",
    ],
    "demo": [
        "demo/amazon_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "stockagile_amazon_connector/static/src/tours/*.js",
        ],
    },
    "application": False,
    "installable": True,
}
