import { registry } from "@web/core/registry";

/**
 * Lucía (Amazon User, Sales and Inventory user, Spanish) invoices an Amazon order whose buyer
 * has no postal code: the ERP's one «Crear factura» lists what is missing.
 */
registry.category("web_tour.tours").add("amazon_es_invoice_one_button", {
    steps: () => [
        {
            content: "The connector has no invoice button of its own",
            trigger: ".o_form_view:not(:has(button[name='action_amazon_create_invoice']))",
        },
        {
            content: "The ERP's Crear factura",
            trigger: ".o_form_statusbar button#create_invoice",
            run: "click",
        },
        {
            content: "Create the draft invoice from the invoicing wizard",
            trigger: ".modal button[name='create_invoices']",
            run: "click",
        },
        {
            content: "The missing customer data is listed, in Spanish",
            trigger: ".modal:contains('faltan datos del cliente'):contains('Lucía Martín Gómez')",
        },
        {
            content: "Close the message",
            trigger: ".modal:contains('faltan datos del cliente') .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Close the wizard",
            trigger: ".modal .modal-footer button[special='cancel']",
            run: "click",
        },
        {
            content: "Back on the order",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

/**
 * Lucía, for whom products are read-only, enables then disables the sync from the product form.
 */
registry.category("web_tour.tours").add("amazon_es_product_form_enable", {
    steps: () => [
        {
            content: "Open the Sales tab",
            trigger: ".o_notebook a.nav-link[name='sales']",
            run: "click",
        },
        {
            content: "Activar la sincronización con Amazon",
            trigger:
                "button[name='action_amazon_enable_sync']:contains('Activar la sincronización con Amazon')",
            run: "click",
        },
        {
            content: "She is told, naming the product",
            trigger: ".o_notification:contains('Sincronización con Amazon activada en'):contains('Taza de Lucía')",
        },
        {
            content: "Its listing is shown, pending",
            trigger:
                "div[name='amazon_listing_ids'] .o_data_row:contains('SA-MUG-001'):contains('Pendiente')",
        },
        {
            content: "Desactivar la sincronización con Amazon",
            trigger:
                "button[name='action_amazon_disable_sync']:contains('Desactivar la sincronización con Amazon')",
            run: "click",
        },
        {
            content: "She is told again",
            trigger: ".o_notification:contains('Sincronización con Amazon desactivada en'):contains('Taza de Lucía')",
        },
        {
            content: "Enable is offered again",
            trigger: "button[name='action_amazon_enable_sync']",
        },
    ],
});

/**
 * Lucía, who has no e-mail address, moves an Amazon order to another warehouse.
 */
registry.category("web_tour.tours").add("amazon_es_change_warehouse", {
    steps: () => [
        {
            content: "Open Cambiar almacén",
            trigger: "button[name='action_amazon_change_warehouse']:contains('Cambiar almacén')",
            run: "click",
        },
        {
            content: "Choose the new warehouse",
            trigger: ".modal div[name='warehouse_id'] input",
            run: "edit Getafe",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-menu .dropdown-item:contains('Getafe')",
            run: "click",
        },
        {
            content: "Apply",
            trigger: ".modal .modal-footer button[name='action_apply']",
            run: "click",
        },
        {
            content: "The notification names the order and both warehouses, in Spanish",
            trigger:
                ".o_notification:contains('ahora sale de'):contains('Getafe')",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order shows the note",
            trigger: ".o-mail-Message:contains('Entrega trasladada del almacén')",
        },
    ],
});

/**
 * The administrator opens an order taxed with the demo's VAT: its totals read «IVA 21%».
 */
registry.category("web_tour.tours").add("amazon_es_demo_vat_totals", {
    steps: () => [
        {
            content: "The totals name IVA 21%",
            trigger: "div[name='tax_totals']:contains('IVA 21%')",
        },
        {
            content: "and never a 0% group",
            trigger: "div[name='tax_totals']:not(:contains('0%'))",
        },
    ],
});

/**
 * The overview's counters of one are singular in Spanish («1 pedido por revisar»).
 */
registry.category("web_tour.tours").add("amazon_es_overview_singular", {
    steps: () => [
        {
            content: "One order to review, singular",
            trigger: ".o_kanban_record a.o_amazon_counter_order_review:contains('pedido por revisar')",
        },
        {
            content: "not «1 pedidos»",
            trigger: ".o_kanban_record a.o_amazon_counter_order_review:not(:contains('pedidos'))",
        },
        {
            content: "One SKU Amazon does not know, singular",
            trigger: ".o_kanban_record a.o_amazon_counter_listing_unknown:contains('SKU no está en Amazon')",
        },
        {
            content: "Two listings pending, plural",
            trigger: ".o_kanban_record a.o_amazon_counter_listing_pending:contains('anuncios pendientes')",
        },
    ],
});

/**
 * The administrator opens Desarrolladores: a page, not a new record.
 */
registry.category("web_tour.tours").add("amazon_es_developer_page", {
    steps: () => [
        {
            content: "The page is open",
            trigger: ".o_amazon_page .o_field_widget[name='guide_html']",
        },
        {
            content: "The breadcrumb reads Desarrolladores, not Nuevo",
            trigger: ".o_breadcrumb:contains('Desarrolladores'):not(:contains('Nuevo'))",
        },
        {
            content: "No «Nuevo» button",
            trigger: ".o_control_panel:not(:has(.o_form_button_create))",
        },
        {
            content: "No save or discard icons",
            trigger: "body:not(:has(.o_form_button_save:visible)):not(:has(.o_form_button_cancel:visible))",
        },
    ],
});

/**
 * The administrator creates on Amazon a product without barcode: the wizard says there is no
 * barcode, and Spanish words find Amazon.es's product type.
 */
registry.category("web_tour.tours").add("amazon_es_create_without_barcode", {
    steps: () => [
        {
            content: "Open the Sales tab",
            trigger: ".o_notebook a.nav-link[name='sales']",
            run: "click",
        },
        {
            content: "Crear en Amazon",
            trigger: "button[name='action_amazon_create_listing']",
            run: "click",
        },
        {
            content: "The wizard says the product has no barcode",
            trigger: ".modal .o_amazon_no_barcode:contains('no tiene código de barras')",
        },
        {
            content: "It never says a barcode was not found",
            trigger: ".modal:not(:has(p:visible:contains('tiene este código de barras')))",
        },
        {
            content: "Describe it in Spanish",
            trigger: ".modal div[name='keywords'] input",
            run: "edit silla oficina",
        },
        {
            content: "Search Amazon's product types",
            trigger: ".modal button[name='action_search_types']",
            run: "click",
        },
        {
            content: "Amazon.es's office chair is found, named in Spanish",
            trigger: ".modal div[name='product_type_id'] input:value(Silla de oficina (OFFICE_CHAIR))",
        },
    ],
});

/**
 * The administrator opens Trabajos: jobs a cron queued are named in Spanish; Lucía's «Sincronizar
 * ahora» on one listing says «un anuncio», not «1 anuncios».
 */
registry.category("web_tour.tours").add("amazon_es_jobs_named", {
    steps: () => [
        {
            content: "Show every job, not only the failed ones",
            trigger: ".o_searchview_facet .o_facet_remove",
            run: "click",
        },
        {
            content: "The poll a cron queued is named in Spanish",
            trigger: ".o_list_view .o_data_row:contains('Amazon: consultar pedidos de')",
        },
        {
            content: "and the push of the product too",
            trigger: ".o_list_view .o_data_row:contains('Amazon: enviar SA-GHOST-404')",
        },
        {
            content: "no English job name",
            trigger: ".o_list_view:not(:contains('Amazon: poll orders')):not(:contains('Amazon: push'))",
        },
    ],
});

registry.category("web_tour.tours").add("amazon_es_one_listing_queued", {
    steps: () => [
        {
            content: "Sincronizar ahora on the listing",
            trigger: ".o_form_statusbar button[name='action_sync_now']",
            run: "click",
        },
        {
            content: "One listing, in the singular",
            trigger: ".o_notification:contains('Un anuncio en cola para Amazon')",
        },
        {
            content: "not «1 anuncios»",
            trigger: ".o_notification:not(:contains('1 anuncios'))",
        },
    ],
});
