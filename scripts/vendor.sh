#!/usr/bin/env bash
# Refresh the vendored front-end assets from the npm registry: the NL Design System
# component CSS, the example ("voorbeeld") design tokens and htmx. Versions are pinned
# here; change them on purpose, run `make vendor`, and commit the result.
set -euo pipefail

UTRECHT_CSS=9.0.4        # @utrecht/component-library-css (EUPL-1.2)
VOORBEELD_TOKENS=7.4.1   # @nl-design-system-unstable/voorbeeld-design-tokens (EUPL-1.2)
HTMX=2.0.11              # htmx.org (0BSD)

root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/src/baken/web/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --silent \
  "@utrecht/component-library-css@$UTRECHT_CSS" \
  "@nl-design-system-unstable/voorbeeld-design-tokens@$VOORBEELD_TOKENS" \
  "htmx.org@$HTMX"

rm -rf "$dest"
mkdir -p "$dest/utrecht" "$dest/voorbeeld" "$dest/htmx"
nm="$work/node_modules"
cp "$nm/@utrecht/component-library-css/dist/index.css" "$dest/utrecht/component-library.css"
cp "$nm/@utrecht/component-library-css/LICENSE.md" "$dest/utrecht/LICENSE.md"
cp "$nm/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css" "$dest/voorbeeld/theme.css"
cp "$nm/@nl-design-system-unstable/voorbeeld-design-tokens/LICENSE.md" "$dest/voorbeeld/LICENSE.md"
cp "$nm/htmx.org/dist/htmx.min.js" "$dest/htmx/htmx.min.js"
cp "$nm/htmx.org/LICENSE" "$dest/htmx/LICENSE"

cat > "$dest/VERSIONS.txt" <<TXT
Vendored by scripts/vendor.sh (make vendor) from the npm registry. Do not edit by hand.
@utrecht/component-library-css $UTRECHT_CSS  EUPL-1.2  utrecht/component-library.css
@nl-design-system-unstable/voorbeeld-design-tokens $VOORBEELD_TOKENS  EUPL-1.2  voorbeeld/theme.css
htmx.org $HTMX  0BSD  htmx/htmx.min.js
TXT
echo "vendored into $dest"
