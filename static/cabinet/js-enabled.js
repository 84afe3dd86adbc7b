// Run first in <body>: GOV.UK Frontend's styles for pages with JavaScript (a file, not inline, for our CSP).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
