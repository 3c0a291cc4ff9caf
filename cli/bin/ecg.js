#!/usr/bin/env node
// The `ecg` executable: the compiled CLI (dist/index.js, built by `npm run build` / at publish).
import '../dist/index.js';
