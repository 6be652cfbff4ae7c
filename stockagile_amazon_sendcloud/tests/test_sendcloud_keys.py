from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.stockagile_amazon_connector.tests.test_order_import import FBM_SINGLE

from .common import SendcloudAmazonCase

AMAZON_USER = "stockagile_amazon_connector.group_amazon_user"


@tagged("post_install", "-at_install")
class TestSendcloudKeys(SendcloudAmazonCase):
    """The Sendcloud integration's keys are for managers; labelling still works for users."""

    def test_employee_and_amazon_user_cannot_read_the_keys(self):
        """Employees and Amazon Users get AccessError on the keys; sales managers read them."""
        employee = new_test_user(self.env, "sc_employee", groups="base.group_user")
        clerk = new_test_user(self.env, "sc_clerk", groups=AMAZON_USER)
        manager = new_test_user(self.env, "sc_manager", groups="sales_team.group_sale_manager")
        for user in (employee, clerk):
            integration = self.integration.with_user(user)
            for key in ("public_key", "secret_key"):
                with self.assertRaises(AccessError, msg=f"{user.login} reads no {key}"):
                    integration.read([key])
                with self.assertRaises(AccessError, msg=f"{user.login} searches no {key}"):
                    integration.search_read([], [key])
            self.assertTrue(integration.read(["shop_name"]), msg="the rest stays readable")
        [values] = self.integration.with_user(manager).read(["public_key", "secret_key"])
        self.assertTrue(values["public_key"] and values["secret_key"])

    def test_amazon_user_labels_without_reading_the_keys(self):
        """An Amazon User (inventory user) still labels: the request reads the keys itself."""
        clerk = new_test_user(self.env, "sc_labeller", groups=AMAZON_USER)
        picking = self._picking(FBM_SINGLE).with_user(clerk)
        picking.action_amazon_sendcloud_label()
        self.assertEqual(len(self.sendcloud.parcels()), 1, msg="the parcel was created")
        self.assertTrue(picking.carrier_tracking_ref)
