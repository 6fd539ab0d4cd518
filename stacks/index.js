// Entry point of the Pulumi project (Pulumi.yaml). The program is TypeScript compiled by `npm run build`
// (also run by `npm ci`) into build/stacks/src; its return value becomes the stack outputs.
'use strict';
module.exports = require('../build/stacks/src/program').run();
