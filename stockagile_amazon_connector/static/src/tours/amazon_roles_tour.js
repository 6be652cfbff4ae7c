import { registry } from "@web/core/registry";

/**
 * An Amazon User opens the account: the buttons only managers can complete are absent.
 */
registry.category("web_tour.tours").add("amazon_user_account_buttons", {
    url: "/odoo/action-stockagile_amazon_connector.amazon_account_action",
    steps: () => [
        {
            content: "Open the account",
            trigger: ".o_data_row td:contains('Amazon ES (tour)')",
            run: "click",
        },
        {
            content: "No Test connection nor Sync all products for an Amazon User",
            trigger:
                ".o_form_view .o_form_statusbar:not(:has(button[name='action_test_connection'])):not(:has(button[name='action_sync_all_products']))",
        },
        {
            content: "Open the Orders tab",
            trigger: ".o_notebook a.nav-link[name='orders']",
            run: "click",
        },
        {
            content: "No Sync orders button for an Amazon User",
            trigger:
                ".o_notebook .tab-pane.active:not(:has(button[name='action_sync_orders']))",
        },
    ],
});

/**
 * An Amazon User presses Sync now on a synced product: Amazon gets its stock and price.
 */
registry.category("web_tour.tours").add("amazon_user_product_sync_now", {
    steps: () => [
        {
            content: "Open the Sales tab",
            trigger: ".o_notebook a.nav-link[name='sales']",
            run: "click",
        },
        {
            content: "Sync now",
            trigger: "button[name='action_amazon_sync_now']",
            run: "click",
        },
        {
            content: "The user is told what happened (no access error)",
            trigger: ".o_notification:not(.border-danger):not(:contains('Access'))",
        },
    ],
});
