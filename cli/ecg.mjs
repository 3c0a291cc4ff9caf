#!/usr/bin/env node
// The `ecg` executable: registers tsx's loader so the TypeScript CLI runs without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./index.ts');
