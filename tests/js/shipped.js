/* PROJECT_ROOT -> the shipped node_modules/lunr/lunr.min.js, or exit 2 saying to run npm ci. */
"use strict";

const fs = require("fs");
const path = require("path");

module.exports = function loadLunr(projectRoot) {
  const lunrPath = path.join(projectRoot, "node_modules", "lunr", "lunr.min.js");
  if (!fs.existsSync(lunrPath)) {
    process.stderr.write(`${lunrPath} is missing: run \`npm ci\`\n`);
    process.exit(2);
  }
  return require(lunrPath);
};
