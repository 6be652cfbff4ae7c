import { registry } from "@web/core/registry";

/**
 * A user creates a new product on Amazon from its form: no catalog match, product type "mug",
 * the missing attributes filled in, validated and submitted.
 */
registry.category("web_tour.tours").add("amazon_listing_creation_full", {
    steps: () => [
        {
            content: "Open the Sales tab",
            trigger: ".o_notebook a.nav-link[name='sales']",
            run: "click",
        },
        {
            content: "Create on Amazon",
            trigger: "button[name='action_amazon_create_listing']",
            run: "click",
        },
        {
            content: "No catalog match: describe the product",
            trigger: ".modal div[name='keywords'] input",
            run: "edit mug",
        },
        {
            content: "Search Amazon's product types",
            trigger: ".modal button[name='action_search_types']:contains('Search product types')",
            run: "click",
        },
        {
            content: "The drinking cup type is picked, named in Amazon.es's language",
            trigger: ".modal div[name='product_type_id'] input:value(Taza (DRINKING_CUP))",
        },
        {
            content: "Next: the attributes",
            trigger: ".modal button[name='action_load_attributes']",
            run: "click",
        },
        {
            content: "Three required attributes are missing",
            trigger: ".modal .alert-warning:contains('3')",
        },
        {
            content: "Brand is listed with Amazon's description",
            trigger: ".modal .o_data_row:contains('Brand Name'):contains('Provide the brand name')",
        },
        ...[
            ["Brand Name", "Stockagile"],
            ["Material", "Gres"],
            ["Colour", "Azul"],
        ].flatMap(([title, value]) => [
            {
                content: `Edit ${title}`,
                trigger: `.modal .o_data_row:contains('${title}') td[name='value']`,
                run: "click",
            },
            {
                content: `Type ${value}`,
                trigger: `.modal .o_data_row:contains('${title}') td[name='value'] input`,
                run: `edit ${value}`,
            },
        ]),
        {
            content: "Validate and create",
            trigger: ".modal button[name='action_submit']",
            run: "click",
        },
        {
            content: "Amazon accepted it and is processing it",
            trigger: ".modal div[name='result']:contains('submitted')",
        },
        {
            content: "Close",
            trigger: ".modal .modal-footer button:contains('Close')",
            run: "click",
        },
        {
            content: "The product shows its creation, submitted",
            trigger: "div[name='amazon_creation_ids'] .o_data_row:contains('Submitted')",
        },
    ],
});
