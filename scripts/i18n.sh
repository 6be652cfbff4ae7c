#!/usr/bin/env bash
# `make i18n`: regenerate the connector's translation template from the code and merge it into
# the Spanish catalogue. New terms come out untranslated (tests/test_i18n.py then fails until
# they are translated in stockagile_amazon_connector/i18n/es.po); terms gone from the code are
# dropped. Uses a scratch database (STOCKAGILE_I18N_DB), created on first use, updated after.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
MODULE=stockagile_amazon_connector
I18N_DIR="$REPO_DIR/$MODULE/i18n"
DB="${STOCKAGILE_I18N_DB:-stockagile_i18n}"
[ -x "$PY" ] || bash "$REPO_DIR/scripts/setup.sh"
command -v msgmerge >/dev/null || die "msgmerge is missing: install GNU gettext (apt-get install gettext)"

if psql -lqt 2>/dev/null | cut -d '|' -f 1 | grep -qw "$DB"; then
  log "Updating $MODULE in $DB"
  odoo_bin -d "$DB" -u "$MODULE" --stop-after-init --without-demo=all --log-level=warn
else
  log "Creating $DB with $MODULE (first time takes a few minutes)"
  odoo_bin -d "$DB" -i "$MODULE" --stop-after-init --without-demo=all --log-level=warn
fi

log "Exporting $I18N_DIR/$MODULE.pot"
odoo_bin -d "$DB" --i18n-export="$I18N_DIR/$MODULE.pot" --modules="$MODULE" \
  --stop-after-init --log-level=warn

log "Merging it into $I18N_DIR/es.po (new terms stay untranslated)"
msgmerge --quiet --update --backup=none --no-fuzzy-matching --width=79 \
  "$I18N_DIR/es.po" "$I18N_DIR/$MODULE.pot"
# msgmerge keeps removed terms as obsolete "#~" entries: a catalogue holds the code's terms only.
msgattrib --no-obsolete --width=79 -o "$I18N_DIR/es.po" "$I18N_DIR/es.po"
log "es.po: $(msgfmt --statistics -o /dev/null "$I18N_DIR/es.po" 2>&1)"
