// Subset the vendored NL Design System CSS to what Baken's pages can use.
//
//   node scripts/vendor/subset.mjs <project root> <full component CSS> <out component CSS>
//                                  <full theme CSS> <out theme CSS>
//
// Run by scripts/vendor.sh (make vendor), never at run time. Deterministic: the same
// templates, Python code and upstream CSS always give byte-identical output.
//
// 1. Component CSS: PurgeCSS (https://purgecss.com) keeps a rule when every class, element
//    and attribute in its selector occurs in the content: our templates
//    (src/baken/**/templates/**/*.html) and Python code (src/baken/**/*.py), which build
//    form widgets' classes. A class built in a template, such as
//    `utrecht-button--{{ variant }}` or an f-string `utrecht-alert--{kind}`, is completed
//    with the words of its own file (see below). Unused @keyframes and @font-face go.
// 2. Theme CSS: the design tokens are custom properties on `.voorbeeld-theme`. A token is
//    kept when the kept component CSS, our own stylesheets (src/baken/**/static/**/*.css
//    outside vendor/) or a kept token refer to it with var(--…); the rest can never take
//    effect. Their order and text stay as upstream wrote them.
//
// It prints the class names and prefixes it found (one a line) to stdout: vendor.sh keeps
// them in vendor/utrecht/SUBSET.txt, and a test fails when a template uses a class that
// is not in that list (a new class needs `make vendor`).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import fg from "fast-glob";
import postcss from "postcss";
import { PurgeCSS } from "purgecss";

const [root, fullComponents, outComponents, fullTheme, outTheme] = process.argv.slice(2);
if (!outTheme) {
  console.error("usage: subset.mjs ROOT FULL_COMPONENTS OUT_COMPONENTS FULL_THEME OUT_THEME");
  process.exit(2);
}

const glob = (patterns, ignore = []) =>
  fg.sync(patterns, { cwd: root, absolute: true, ignore }).sort();

const content = glob(["src/baken/**/templates/**/*.html", "src/baken/**/*.py"]);
if (content.length === 0) {
  console.error(`subset.mjs: no templates or Python files under ${root}/src/baken`);
  process.exit(1);
}

// utrecht-… names. One followed by "{" (a template variable, an f-string field) or ending
// in "-" is the fixed start of a class made at run time, like `utrecht-button--{{ variant }}`:
// it is completed with every word in the same file (there, "primary-action" and
// "secondary-action" are the values the template gives `variant`).
const classes = new Set();
const literal = new Set();
const prefixes = new Set();
for (const file of content) {
  const text = readFileSync(file, "utf8");
  const own = new Set();
  for (const match of text.matchAll(/utrecht-[a-z0-9_-]*(\{(?=[{A-Za-z_]))?/g)) {
    const name = match[0].replace(/\{$/, "");
    if (match[1] || name.endsWith("-")) own.add(name);
    else {
      classes.add(name);
      literal.add(name);
    }
  }
  for (const prefix of own) {
    prefixes.add(prefix);
    for (const [word] of text.matchAll(/[a-z0-9][a-z0-9_-]*/g)) classes.add(prefix + word);
  }
}

const [result] = await new PurgeCSS().purge({
  content: [...content, { raw: [...classes].sort().join(" "), extension: "html" }],
  css: [fullComponents],
  // PurgeCSS drops a selector made of pseudo-classes alone, such as the page-wide focus
  // ring `:where(.utrecht-root) :where(:focus-visible)`. Let a `:where(…)` through, so
  // that PurgeCSS judges what is inside it (an unused class in there still goes), and
  // keep `:focus-visible` itself.
  safelist: { standard: [/^:where$/, /^:focus-visible$/] },
  keyframes: true,
  fontFace: true,
  variables: false,
});
writeFileSync(outComponents, result.css.endsWith("\n") ? result.css : `${result.css}\n`);

// Tokens: the transitive closure of var(--…) references.
const references = (text) => [...text.matchAll(/var\(\s*(--[A-Za-z0-9_-]+)/g)].map((m) => m[1]);
const ownCss = glob(["src/baken/**/static/**/*.css"], ["**/static/vendor/**"]);
const wanted = new Set(references(result.css));
for (const file of ownCss) for (const name of references(readFileSync(file, "utf8"))) wanted.add(name);

const theme = postcss.parse(readFileSync(fullTheme, "utf8"), { from: fullTheme });
const definitions = new Map();
theme.walkDecls(/^--/, (decl) => {
  if (!definitions.has(decl.prop)) definitions.set(decl.prop, []);
  definitions.get(decl.prop).push(decl);
});
const queue = [...wanted];
while (queue.length > 0) {
  const name = queue.pop();
  for (const decl of definitions.get(name) ?? []) {
    for (const ref of references(decl.value)) {
      if (!wanted.has(ref)) {
        wanted.add(ref);
        queue.push(ref);
      }
    }
  }
}
let dropped = 0;
theme.walkDecls(/^--/, (decl) => {
  if (!wanted.has(decl.prop)) {
    // A comment on the same line, such as "/* [code-only] */", belongs to the token.
    const next = decl.next();
    if (next?.type === "comment" && !next.raws.before?.includes("\n")) next.remove();
    decl.remove();
    dropped += 1;
  }
});
theme.walkRules((rule) => {
  if (rule.nodes.length === 0) rule.remove();
});
let themeCss = theme.toString();
if (!themeCss.endsWith("\n")) themeCss += "\n";
writeFileSync(outTheme, themeCss);

const rel = (file) => path.relative(root, file);
console.error(
  `subset: ${content.length} files scanned, ${classes.size} classes and ${prefixes.size} ` +
    `prefixes found; kept ${definitions.size - dropped} of ${definitions.size} tokens ` +
    `(read by ${ownCss.map(rel).join(", ") || "no own stylesheet"} and the components)`,
);
console.log([...literal, ...prefixes].sort().join("\n"));
