import { registry } from "@web/core/registry";

/**
 * An Amazon manager opens Sales > Configuration > Amazon > Developers, creates the integration
 * user's API key (Odoo's own wizard and password check), finds the Python example ready to copy
 * and tries the API on a delivery of the sandbox account.
 */
registry.category("web_tour.tours").add("amazon_developer_guide", {
    steps: () => [
        {
            content: "The page documents the shipping methods",
            trigger: ".o_field_widget[name='guide_html']:contains('amazon_mark_shipped()')",
        },
        {
            content: "Create the API key",
            trigger: "button[name='action_create_api_key']",
            run: "click",
        },
        {
            content: "Odoo's API key wizard says whose key it is",
            trigger: ".modal .alert-info:contains('Amazon integration user')",
        },
        {
            content: "Name the key",
            trigger: ".modal .o_field_widget[name='name'] input",
            run: "edit Tour warehouse app",
        },
        {
            content: "Generate it",
            trigger: ".modal button[name='make_key']",
            run: "click",
        },
        {
            content: "Odoo asks for the manager's password",
            trigger: ".modal [name='password'] input",
            run: "edit admin",
        },
        {
            content: "Confirm the password",
            trigger: ".modal button:contains(Confirm Password)",
            run: "click",
        },
        {
            content: "The key is shown, once",
            trigger: ".modal .o_field_widget[name='key']:not(:empty)",
        },
        {
            content: "Close the key",
            trigger: ".modal button:contains(Done)",
            run: "click",
        },
        {
            content: "The page counts the key",
            trigger: "body:not(:has(.modal)) .o_field_widget[name='api_key_count']:contains(1)",
        },
        {
            content: "Open the Python example",
            trigger: ".o_notebook a.nav-link[name='python']",
            run: "click",
        },
        {
            content: "The example logs in with the API key of the integration user",
            trigger: ".o_amazon_example_python:contains(ODOO_API_KEY):contains(amazon-integration-)",
        },
        {
            content: "It is ready to copy",
            trigger: ".o_notebook .o_field_CopyClipboardButton button",
        },
        {
            content: "Open Try it",
            trigger: ".o_notebook a.nav-link[name='try_it']",
            run: "click",
        },
        {
            content: "Pick the sandbox delivery",
            trigger: ".o_field_widget[name='try_picking_id'] input",
            run: "click",
        },
        {
            content: "The open Amazon delivery is offered",
            trigger: ".o-autocomplete--dropdown-item:contains(OUT)",
            run: "click",
        },
        {
            content: "Set a tracking number",
            trigger: ".o_field_widget[name='try_tracking_ref'] input",
            run: "edit TOUR-0001",
        },
        {
            content: "Try update shipping",
            trigger: "button[name='action_try_update_shipping']",
            run: "click",
        },
        {
            content: "The raw request is shown",
            trigger: ".o_field_widget[name='try_request']:contains(amazon_update_shipping)",
        },
        {
            content: "And the result dict",
            trigger: ".o_field_widget[name='try_result']:contains(TOUR-0001)",
        },
        {
            content: "Try mark shipped",
            trigger: "button[name='action_try_mark_shipped']",
            run: "click",
        },
        {
            content: "The delivery is done and its confirmation is on its way",
            trigger: ".o_field_widget[name='try_result']:contains(done)",
        },
    ],
});
