#!/usr/bin/env bash
# Refresh the vendored front-end assets from the npm registry: the NL Design System
# component CSS, the example ("voorbeeld") design tokens and htmx, and subset the CSS to
# what our templates use (scripts/vendor/subset.mjs, with PurgeCSS).
#
# Versions are exact in scripts/vendor/package.json; scripts/vendor/package-lock.json pins
# everything else (PurgeCSS's own dependencies included), so a re-run gives the same files.
# To upgrade: change a version in package.json, run `make vendor`, commit the result and
# the updated lock file.
#
# The packages are installed once into var/vendor-npm/ (git-ignored) and reused while the
# lock file is unchanged, so a re-run after a template change takes about a second and
# needs no network.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
spec="$root/scripts/vendor"
dest="$root/src/baken/web/static/vendor"
cache="$root/var/vendor-npm"
nm="$cache/node_modules"

mkdir -p "$cache"
cp "$spec/package.json" "$spec/subset.mjs" "$cache/"
[[ -f "$spec/package-lock.json" ]] && cp "$spec/package-lock.json" "$cache/package-lock.json"
# Install only when package.json or the lock differ from what was installed last time
# (a fresh clone, or a version changed on purpose); npm then updates the lock to match.
if ! cmp -s "$cache/package-lock.json" "$cache/.installed/package-lock.json" 2>/dev/null \
  || ! cmp -s "$cache/package.json" "$cache/.installed/package.json" 2>/dev/null \
  || [[ ! -d "$nm" ]]; then
  (cd "$cache" && npm install --no-audit --no-fund --ignore-scripts --silent)
  mkdir -p "$cache/.installed"
  cp "$cache/package.json" "$cache/package-lock.json" "$cache/.installed/"
  cp "$cache/package-lock.json" "$spec/package-lock.json"
fi

version() { node -p "require('$nm/$1/package.json').version"; }
UTRECHT_CSS=$(version @utrecht/component-library-css)
VOORBEELD_TOKENS=$(version @nl-design-system-unstable/voorbeeld-design-tokens)
HTMX=$(version htmx.org)
PURGECSS=$(version purgecss)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/utrecht" "$work/voorbeeld" "$work/htmx"
(cd "$cache" && node subset.mjs "$root" \
  "$nm/@utrecht/component-library-css/dist/index.css" "$work/utrecht/component-library.css" \
  "$nm/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css" \
  "$work/voorbeeld/theme.css") >"$work/utrecht/SUBSET.txt"
cp "$nm/@utrecht/component-library-css/LICENSE.md" "$work/utrecht/LICENSE.md"
cp "$nm/@nl-design-system-unstable/voorbeeld-design-tokens/LICENSE.md" "$work/voorbeeld/LICENSE.md"
cp "$nm/htmx.org/dist/htmx.min.js" "$work/htmx/htmx.min.js"
cp "$nm/htmx.org/LICENSE" "$work/htmx/LICENSE"

size() { wc -c <"$1" | tr -d ' '; }
cat >"$work/VERSIONS.txt" <<TXT
Vendored by scripts/vendor.sh (make vendor) from the npm registry. Do not edit by hand.
@utrecht/component-library-css $UTRECHT_CSS  EUPL-1.2  utrecht/component-library.css
@nl-design-system-unstable/voorbeeld-design-tokens $VOORBEELD_TOKENS  EUPL-1.2  voorbeeld/theme.css
htmx.org $HTMX  0BSD  htmx/htmx.min.js

Both CSS files are subsets, made by scripts/vendor/subset.mjs with purgecss $PURGECSS:
utrecht/component-library.css keeps the rules for the classes our templates and Python
code use (listed in utrecht/SUBSET.txt), $(size "$work/utrecht/component-library.css") of $(size "$nm/@utrecht/component-library-css/dist/index.css") bytes (dist/index.css);
voorbeeld/theme.css keeps the design tokens that the kept rules and our own stylesheets
read, $(size "$work/voorbeeld/theme.css") of $(size "$nm/@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css") bytes (dist/theme.css).
TXT

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -R "$work" "$dest"
chmod -R u=rwX,go=rX "$dest"
echo "vendored into $dest: utrecht $(size "$dest/utrecht/component-library.css") bytes," \
  "voorbeeld $(size "$dest/voorbeeld/theme.css") bytes"
