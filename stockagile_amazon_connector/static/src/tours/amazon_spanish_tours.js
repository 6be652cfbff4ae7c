import { registry } from "@web/core/registry";

/**
 * A Spanish seller (user language es_ES) ticks «Sincronizar con Amazon» on a product form.
 */
registry.category("web_tour.tours").add("amazon_es_product_sync_checkbox", {
    steps: () => [
        {
            content: "Open the Sales tab",
            trigger: ".o_notebook a.nav-link[name='sales']",
            run: "click",
        },
        {
            content: "The checkbox is labelled in Spanish",
            trigger: ".o_form_view label:contains('Sincronizar con Amazon')",
        },
        {
            content: "Tick it",
            trigger: "div[name='amazon_sync'] input[type='checkbox']",
            run: "click",
        },
        {
            content: "Save the product",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Its listing waits for its push, its state in Spanish",
            trigger:
                "div[name='amazon_listing_ids'] .o_data_row:contains('SA-MUG-001'):contains('Pendiente')",
        },
        {
            content: "«Sincronizar ahora» is offered",
            trigger: "button[name='action_amazon_sync_now']:contains('Sincronizar ahora')",
        },
    ],
});

/**
 * The list's Acción menu enables the sync of the selected products, in Spanish.
 */
registry.category("web_tour.tours").add("amazon_es_product_bulk_enable", {
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
            content: "Activar la sincronización con Amazon",
            trigger:
                ".o-dropdown--menu .dropdown-item:contains('Activar la sincronización con Amazon')",
            run: "click",
        },
        {
            content: "The user is told it worked, in Spanish",
            trigger: ".o_notification:contains('Sincronización con Amazon activada en 2 productos')",
        },
    ],
});

/**
 * The overview's counters open the filtered lists they count (Spanish).
 */
registry.category("web_tour.tours").add("amazon_es_overview_counters", {
    steps: () => [
        {
            content: "The account's card shows its counters in Spanish",
            trigger: ".o_kanban_record:contains('Amazon ES (test sandbox)'):contains('SKU no está en Amazon')",
        },
        {
            content: "Open the SKUs Amazon does not know",
            trigger: ".o_kanban_record a.o_amazon_counter_listing_unknown",
            run: "click",
        },
        {
            content: "The list is filtered on «No está en Amazon»",
            trigger: ".o_searchview_facet:contains('No está en Amazon')",
        },
        {
            content: "It shows the unknown SKU",
            trigger: ".o_list_view .o_data_row:contains('SA-GHOST-404')",
        },
        {
            content: "No other listing is listed",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('SA-MUG-001')))",
        },
        {
            content: "Back to the overview",
            trigger: ".o_breadcrumb a:contains('Resumen de Amazon')",
            run: "click",
        },
        {
            content: "Open the pending listings",
            trigger: ".o_kanban_record a.o_amazon_counter_listing_pending",
            run: "click",
        },
        {
            content: "The pending listing is listed",
            trigger: ".o_list_view .o_data_row:contains('SA-BOTTLE-750')",
        },
        {
            content: "and not the unknown SKU",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('SA-GHOST-404')))",
        },
    ],
});

/**
 * An Amazon order's tools, in Spanish: the order's buttons and the change-warehouse wizard.
 */
registry.category("web_tour.tours").add("amazon_es_order_tools", {
    steps: () => [
        {
            content: "Imprimir albarán de entrega is offered",
            trigger: "button[name='action_amazon_print_delivery_note']:contains('Imprimir albarán de entrega')",
        },
        {
            content: "One invoice button: the ERP's, no connector duplicate",
            trigger:
                ".o_form_statusbar:has(button#create_invoice):not(:has(button[name='action_amazon_create_invoice']))",
        },
        {
            content: "Open Cambiar almacén",
            trigger: "button[name='action_amazon_change_warehouse']:contains('Cambiar almacén')",
            run: "click",
        },
        {
            content: "The wizard explains itself in Spanish",
            trigger: ".modal .o_form_view:contains('La entrega pendiente se cancela aquí')",
        },
        {
            content: "Close it",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        {
            content: "Back on the order",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
