import { registry } from "@web/core/registry";

/**
 * An Amazon manager opens the account and tests the connection to the (sandbox) SP-API.
 */
registry.category("web_tour.tours").add("amazon_account_test_connection", {
    url: "/odoo/action-stockagile_amazon_connector.amazon_account_action",
    steps: () => [
        {
            content: "Open the account",
            trigger: ".o_data_row td:contains('Amazon ES (tour)')",
            run: "click",
        },
        {
            content: "Test the connection",
            trigger: "button[name='action_test_connection']",
            run: "click",
        },
        {
            content: "Amazon accepted the credentials",
            trigger: ".o_notification:contains('Connected to Amazon')",
        },
        {
            content: "The account shows it is connected",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Connected')",
        },
    ],
});
