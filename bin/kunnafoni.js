#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so `npx kunnafoni` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
