// Compile the de-branded GOV.UK Frontend styles and copy its script and images into static/.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import * as sass from "sass";

const govuk = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("static/govuk", { recursive: true });
const { css } = sass.compile("assets/app.scss", {
  loadPaths: ["node_modules"],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin"],
});
writeFileSync("static/govuk/app.css", css);
cpSync(`${govuk}/govuk-frontend.min.js`, "static/govuk/govuk-frontend.min.js");
cpSync("assets/app.js", "static/govuk/app.js"); // next to govuk-frontend.min.js, which it imports
// Our own favicon; GOV.UK's images, crown and fonts stay behind (de-branded, system font).
cpSync("assets/favicon.svg", "static/govuk/favicon.svg");
console.log("Built static/govuk/app.css and copied govuk-frontend.min.js");
