# The two commands of the README, plus helpers. Every target does its own set-up (scripts/setup.sh).
.PHONY: run test bench setup lint format clean test-odoo-suites test-pip-layout i18n prefork-proof

run:     ## Odoo with the connector, demo data and the local Amazon sandbox on http://localhost:8069
	bash scripts/run.sh

test:    ## Everything: lint, pytest (services, sandbox, XML-RPC) and the Odoo tests with tours
	bash scripts/test.sh

bench:   ## Performance figures (a table, a JSON last line and a chart in var/bench/)
	bash scripts/bench.sh

prefork-proof:  ## Real-time orders on a prefork server with production's limits for PROOF_SECONDS (600): no worker killed, each order once, p95 <= 2 s, crons on time
	bash scripts/prefork_proof.sh

test-odoo-suites:  ## Odoo's stock, sale_stock, stock_delivery, sale_management suites without and with the addons (long; SUITES_MODE=both)
	SUITES_MODE=$${SUITES_MODE:-both} bash scripts/test_odoo_suites.sh

test-pip-layout:  ## The connector installed with pip (not on the addons path): installs and runs a test
	bash scripts/test_pip_layout.sh

i18n:    ## Regenerate i18n/stockagile_amazon_connector.pot from the code and merge it into i18n/es.po (new terms untranslated)
	bash scripts/i18n.sh

setup:   ## Only the set-up: PostgreSQL, the Odoo source of $ODOO_VERSION (18.0 by default, or 19.0), virtualenv
	bash scripts/setup.sh

lint:
	bash -c 'source scripts/common.sh && "$$VENV_DIR/bin/ruff" check . && "$$VENV_DIR/bin/ruff" format --check . && "$$VENV_DIR/bin/pylint" --rcfile=.pylintrc stockagile_amazon_connector stockagile_amazon_sendcloud'

format:
	bash -c 'source scripts/common.sh && "$$VENV_DIR/bin/ruff" check --fix . && "$$VENV_DIR/bin/ruff" format .'

clean:
	rm -rf var
