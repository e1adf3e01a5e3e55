// Mocha's spec reporter, plus the run's stats written to $SESSION_STREAM_TEST_STATS so that
// scripts/test.mjs can print one closing "N passed, N failed" line over every tier.
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.SESSION_STREAM_TEST_STATS;
      if (file) fs.writeFileSync(file, JSON.stringify(this.stats));
    });
  }
}

module.exports = SummaryReporter;
