import { registry } from "@web/core/registry";

/**
 * A user ticks "Sync with Amazon" on a product form and sees its listing appear.
 */
registry.category("web_tour.tours").add("amazon_product_sync_checkbox", {
    steps: () => [
        {
            content: "Open the Sales tab",
            trigger: ".o_notebook a.nav-link[name='sales']",
            run: "click",
        },
        {
            content: "Tick Sync with Amazon",
            trigger: "div[name='amazon_sync'] input[type='checkbox']",
            run: "click",
        },
        {
            content: "Save the product",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The listing on the Amazon account is waiting for its push",
            trigger: "div[name='amazon_listing_ids'] .o_data_row:contains('SA-MUG-001'):contains('Pending')",
        },
        {
            content: "Sync now is offered",
            trigger: "button[name='action_amazon_sync_now']",
        },
    ],
});

/**
 * A user selects several products in the list and enables Amazon sync from the Action menu.
 */
registry.category("web_tour.tours").add("amazon_product_bulk_enable", {
    steps: () => [
        {
            content: "Select every product of the list",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the Action menu",
            trigger: ".o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            content: "Enable Amazon sync",
            trigger: ".o-dropdown--menu .dropdown-item:contains('Enable Amazon sync')",
            run: "click",
        },
        {
            content: "The user is told it worked",
            trigger: ".o_notification:contains('Amazon sync enabled on 3 products')",
        },
    ],
});
