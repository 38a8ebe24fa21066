// The cdk8s validation plugin that cdk8s.yaml lists under `validations:` (package:
// ./scripts/cdk8s-validation.js). cdk8s-cli loads a local plugin with a plain require() inside its
// own process, so this entry is JavaScript: it registers tsx, then hands over the TypeScript
// class of lib/checks. See lib/checks/plugin.ts, and docs/testing.md, "Checks inside cdk8s synth".
require('tsx/cjs');

module.exports = { SecureAiEgressChecks: require('../lib/checks').SecureAiEgressChecks };
