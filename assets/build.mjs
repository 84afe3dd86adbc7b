// Compile the de-branded GOV.UK Frontend styles and copy its script into static/, then check that every
// file the CSS and script refer to is there (collectstatic's manifest storage refuses a missing one).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as sass from "sass";

const govuk = "node_modules/govuk-frontend/dist/govuk";
const out = "static/govuk";
mkdirSync(out, { recursive: true });
const { css } = sass.compile("assets/app.scss", {
  loadPaths: ["node_modules", "assets"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync(`${out}/app.css`, css);
// The script names its source map, so the map goes with it.
cpSync(`${govuk}/govuk-frontend.min.js`, `${out}/govuk-frontend.min.js`);
cpSync(`${govuk}/govuk-frontend.min.js.map`, `${out}/govuk-frontend.min.js.map`);
cpSync("assets/app.js", `${out}/app.js`); // next to govuk-frontend.min.js, which it imports
// Our own favicon; GOV.UK's images, crown, crest and fonts stay behind (de-branded, system font).
cpSync("assets/favicon.svg", `${out}/favicon.svg`);

// The references Django's ManifestStaticFilesStorage follows: url(...) and @import in CSS,
// sourceMappingURL in both. Data URIs, fragments and absolute URLs are not files of ours.
const missing = [];
for (const name of ["app.css", "govuk-frontend.min.js"]) {
  const text = readFileSync(`${out}/${name}`, "utf8");
  const refs = [
    ...(name.endsWith(".css") ? text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g) : []),
    ...(name.endsWith(".css") ? text.matchAll(/@import\s*["']([^"']+)["']/g) : []),
    ...text.matchAll(/sourceMappingURL=([^\s*]+)/g),
  ].map((match) => match[1]);
  for (const ref of refs) {
    if (/^(data:|#|[a-z]+:\/\/|\/\/)/i.test(ref)) continue;
    const path = ref.startsWith("/") ? join("static", ref.replace(/^\/static\//, "")) : join(dirname(`${out}/${name}`), ref);
    if (!existsSync(path.split(/[?#]/)[0])) missing.push(`${name} refers to ${ref}, which the build does not produce`);
  }
}
if (missing.length) {
  console.error(missing.join("\n"));
  process.exit(1);
}
console.log(`Built ${out}/app.css and copied govuk-frontend.min.js with its source map`);
