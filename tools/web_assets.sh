#!/usr/bin/env bash
# The web root nginx serves: a copy of web/ where each asset also has a name carrying its content
# hash (assets/portal.3fa9c2e1.js), the pages link those names, and every text file has a gzip
# twin beside it for nginx's gzip_static. A changed asset gets a new name, so nginx can let
# browsers keep assets for a year (kaeru-locations.conf) while the pages are revalidated.
#
#   tools/web_assets.sh SRC DEST      e.g. tools/web_assets.sh web build/web
#
# The unhashed names stay, with their original contents, for anything that links them directly.
# A module's hash covers the hashed names of what it imports (`from './i18n.js'` is rewritten
# first), so a change in i18n.js renames every page script that imports it too.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: tools/web_assets.sh SRC DEST" >&2; exit 2; }
SRC=$(cd "$1" && pwd)
DEST=$2
mkdir -p "$(dirname "$DEST")"
DEST=$(cd "$(dirname "$DEST")" && pwd)/$(basename "$DEST")
TMP=$DEST.tmp.$$
trap 'rm -rf "$TMP"' EXIT

rm -rf "$TMP"
cp -R "$SRC" "$TMP"

hash_of() { sha256sum "$1" | cut -c1-8; }
# The local modules a script imports: `from './common.js'` → common.js
imports_of() { grep -oE "(from|import)[[:space:]]*['\"]\./[A-Za-z0-9_-]+\.js['\"]" "$1" | grep -oE "[A-Za-z0-9_-]+\.js" | sort -u || true; }

declare -A HASHED # common.js → common.1a2b3c4d.js
pending=()
for f in "$TMP"/assets/*.js "$TMP"/assets/*.css; do
	[ -e "$f" ] && pending+=("$(basename "$f")")
done
# Modules whose imports all have their hashed names already, round by round.
while [ ${#pending[@]} -gt 0 ]; do
	left=()
	for name in "${pending[@]}"; do
		ready=1 script=""
		for dep in $(imports_of "$TMP/assets/$name"); do
			[ -n "${HASHED[$dep]:-}" ] || { ready=0; break; }
			script+="s#\\(['\"]\\)\\./${dep//./\\.}\\(['\"]\\)#\\1./${HASHED[$dep]}\\2#g;"
		done
		[ "$ready" = 1 ] || { left+=("$name"); continue; }
		out=$TMP/assets/$name.out
		if [ -n "$script" ]; then sed "$script" "$TMP/assets/$name" >"$out"; else cp "$TMP/assets/$name" "$out"; fi
		hashed="${name%.*}.$(hash_of "$out").${name##*.}"
		mv "$out" "$TMP/assets/$hashed"
		HASHED[$name]=$hashed
	done
	[ ${#left[@]} -lt ${#pending[@]} ] || { echo "web_assets: circular imports among ${left[*]}" >&2; exit 1; }
	pending=("${left[@]}")
done

# The pages link the hashed names.
script=""
for name in "${!HASHED[@]}"; do
	script+="s#\\([\"']\\)/assets/${name//./\\.}\\([\"']\\)#\\1/assets/${HASHED[$name]}\\2#g;"
done
find "$TMP" -name '*.html' -print0 | while IFS= read -r -d '' page; do
	sed -i "$script" "$page"
done

# Pre-compressed twins for gzip_static (nginx compresses nothing on the fly for these).
find "$TMP" -type f \( -name '*.html' -o -name '*.js' -o -name '*.css' \) -print0 |
	while IFS= read -r -d '' f; do gzip -9 -n -k "$f"; done

rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
