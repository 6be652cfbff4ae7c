import { registry } from "@web/core/registry";

/**
 * A warehouse user opens an Amazon order, labels it with Sendcloud, and prints the label
 * from its delivery.
 */
registry.category("web_tour.tours").add("amazon_sendcloud_label", {
    steps: () => [
        {
            content: "Label the Amazon order with Sendcloud",
            trigger: "button[name='action_amazon_sendcloud_label']",
            run: "click",
        },
        {
            content: "Sendcloud answered with the tracking number",
            trigger: ".o_notification:contains('Labelled with Sendcloud')",
        },
        {
            content: "The order has nothing left to label",
            trigger: ".o_form_view:not(:has(button[name='action_amazon_sendcloud_label']))",
        },
        {
            content: "Open the delivery",
            trigger: "button[name='action_view_delivery']",
            run: "click",
        },
        {
            content: "The delivery's chatter shows the parcel and its tracking number",
            trigger: ".o-mail-Message:contains('Labelled with Sendcloud'):contains('3SSBX')",
        },
        {
            content: "The label can be printed in one click",
            trigger: "button[name='action_amazon_sendcloud_print_labels']",
        },
        {
            content: "Mark the delivery shipped",
            trigger: "button[name='action_amazon_mark_shipped']",
            run: "click",
        },
        {
            content: "Shipped: the confirmation goes to Amazon",
            trigger: ".o_notification:contains('Shipped')",
        },
    ],
});
