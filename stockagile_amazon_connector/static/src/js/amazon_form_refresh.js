/**
 * Open forms follow what Amazon jobs change in the background (issue 14).
 *
 * The server sends "stockagile_amazon.changed" with {records: {model: [ids]}} on the Amazon
 * User group's bus channel when a job changes a listing (see _amazon_refresh_forms). A form
 * showing one of those records reloads it, unless the user has unsaved changes.
 */
import { onWillUnmount } from "@odoo/owl";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";

export const AMAZON_CHANGED = "stockagile_amazon.changed";

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        // Not useService: a form mounted without the bus (a unit test's env) simply skips it.
        const busService = this.env.services.bus_service;
        if (!busService) {
            return;
        }
        const onChanged = (payload) => {
            // A notification can arrive while the form is still loading its record (no root yet).
            const record = this.model && this.model.root;
            if (!record) {
                return;
            }
            const ids = (payload && payload.records && payload.records[record.resModel]) || [];
            if (record.resId && ids.includes(record.resId) && !record.dirty) {
                record.load();
            }
        };
        busService.subscribe(AMAZON_CHANGED, onChanged);
        onWillUnmount(() => busService.unsubscribe(AMAZON_CHANGED, onChanged));
    },
});
