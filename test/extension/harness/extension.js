/* global exports */
// Runs the extension-host test suite inside the real VS Code extension host (code-server), when
// the runner names a test bundle in SESSION_STREAM_TEST_BUNDLE; writes mocha's result as JSON to
// SESSION_STREAM_TEST_RESULTS. Without those variables it does nothing.
const fs = require('node:fs');

exports.activate = async function activate() {
  const bundle = process.env.SESSION_STREAM_TEST_BUNDLE;
  const out = process.env.SESSION_STREAM_TEST_RESULTS;
  if (!bundle || !out) return;
  let result;
  try {
    result = await require(bundle).run();
  } catch (error) {
    result = { passes: 0, failures: 1, pending: 0, crashed: String((error && error.stack) || error), tests: [] };
  }
  fs.writeFileSync(`${out}.tmp`, JSON.stringify(result, null, 2));
  fs.renameSync(`${out}.tmp`, out);
};

exports.deactivate = function deactivate() {};
