/**
 * Open forms follow what Amazon jobs change in the background (issue 14).
 *
 * The server sends "stockagile_amazon.changed" with {records: {model: [ids]}} on the Amazon
 * User group's bus channel when a job changes a listing (see _amazon_refresh_forms). A form
 * showing one of those records reloads it, unless the user has unsaved changes.
 */
import { onWillUnmount } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";

export const AMAZON_CHANGED = "stockagile_amazon.changed";

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        const busService = useService("bus_service");
        const onChanged = (payload) => {
            const record = this.model.root;
            const ids = (payload && payload.records && payload.records[record.resModel]) || [];
            if (record.resId && ids.includes(record.resId) && !record.dirty) {
                record.load();
            }
        };
        busService.subscribe(AMAZON_CHANGED, onChanged);
        onWillUnmount(() => busService.unsubscribe(AMAZON_CHANGED, onChanged));
    },
});
