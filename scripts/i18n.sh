#!/usr/bin/env bash
# `make i18n`: regenerate each addon's translation template from the code and merge it into its
# Spanish catalogue. Addons = the repository's top-level folders with a __manifest__.py (or the
# names given as arguments). New terms come out untranslated (tests/test_i18n.py then fails until
# they are translated in <addon>/i18n/es.po); terms gone from the code are dropped. Uses a scratch
# database (STOCKAGILE_I18N_DB), created on first use, updated after.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DB="${STOCKAGILE_I18N_DB:-stockagile_i18n}"
[ -x "$PY" ] || bash "$REPO_DIR/scripts/setup.sh"
source "$CACHE_DIR/pg.env"
command -v msgmerge >/dev/null || die "msgmerge is missing: install GNU gettext (apt-get install gettext)"

if [ "$#" -gt 0 ]; then
  MODULES=("$@")
else
  mapfile -t MODULES < <(cd "$REPO_DIR" && for m in */__manifest__.py; do dirname "$m"; done)
fi
LIST=$(IFS=,; echo "${MODULES[*]}")

if psql -d postgres -qtAc "select 1 from pg_database where datname='$DB'" | grep -q 1; then
  log "Updating $LIST in $DB"
  odoo_bin -d "$DB" -u "$LIST" --stop-after-init --without-demo=all --log-level=warn
else
  log "Creating $DB with $LIST (first time takes a few minutes)"
  odoo_bin -d "$DB" -i "$LIST" --stop-after-init --without-demo=all --log-level=warn
fi

for MODULE in "${MODULES[@]}"; do
  I18N_DIR="$REPO_DIR/$MODULE/i18n" && mkdir -p "$I18N_DIR"
  log "Exporting $MODULE/i18n/$MODULE.pot"
  odoo_bin -d "$DB" --i18n-export="$I18N_DIR/$MODULE.pot" --modules="$MODULE" \
    --stop-after-init --log-level=warn
  if [ -f "$I18N_DIR/foreign_terms.txt" ]; then
    # Terms of other modules this addon's screens show (e.g. OCA's Sendcloud fields and buttons
    # on the delivery, untranslated upstream): the listed records' terms join the template, and
    # this addon's es.po translates them (loaded with the addon, by the records' XML ids).
    log "Adding the other modules' terms listed in $MODULE/i18n/foreign_terms.txt"
    FOREIGN="$(mktemp -d)" PARTS=0
    while read -r FOREIGN_MODULE _; do
      [ -n "$FOREIGN_MODULE" ] && [ "${FOREIGN_MODULE:0:1}" != "#" ] || continue
      [ -f "$FOREIGN/$FOREIGN_MODULE.pot" ] && continue
      odoo_bin -d "$DB" --i18n-export="$FOREIGN/$FOREIGN_MODULE.pot" --modules="$FOREIGN_MODULE" \
        --stop-after-init --log-level=warn
    done <"$I18N_DIR/foreign_terms.txt"
    while read -r FOREIGN_MODULE PATTERN; do
      [ -n "$FOREIGN_MODULE" ] && [ "${FOREIGN_MODULE:0:1}" != "#" ] || continue
      msggrep --width=79 -N "$PATTERN" -o "$FOREIGN/part-$((++PARTS)).pot" \
        "$FOREIGN/$FOREIGN_MODULE.pot"
    done <"$I18N_DIR/foreign_terms.txt"
    msgcat --use-first --width=79 -o "$I18N_DIR/$MODULE.pot" "$I18N_DIR/$MODULE.pot" \
      "$FOREIGN"/part-*.pot
    rm -rf "$FOREIGN"
  fi
  if [ ! -f "$I18N_DIR/es.po" ]; then
    msginit --no-translator --locale=es --width=79 -i "$I18N_DIR/$MODULE.pot" -o "$I18N_DIR/es.po"
  fi
  log "Merging it into $MODULE/i18n/es.po (new terms stay untranslated)"
  msgmerge --quiet --update --backup=none --no-fuzzy-matching --width=79 \
    "$I18N_DIR/es.po" "$I18N_DIR/$MODULE.pot"
  # msgmerge keeps removed terms as obsolete "#~" entries: a catalogue holds the code's terms.
  msgattrib --no-obsolete --width=79 -o "$I18N_DIR/es.po" "$I18N_DIR/es.po"
  log "$MODULE es.po: $(msgfmt --statistics -o /dev/null "$I18N_DIR/es.po" 2>&1)"
done
