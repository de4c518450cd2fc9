#!/usr/bin/env node
// The `ortoo` command: runs the TypeScript CLI through tsx, without a build step.
require('tsx/cjs');
require('../cli/src/main.ts').run();
