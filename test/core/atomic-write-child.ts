// Child process of atomic-write.test.ts: rewrites a large file (or folder) atomically in a loop until
// the parent SIGKILLs it, so the kill lands part-way through a write.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic, writeFileAtomic } from '../../core/node.js';

const [mode, target, mib] = process.argv.slice(2);
const data = new Uint8Array(Number(mib) * 2 ** 20).fill(0x6e); // 'n' for new
process.stdout.write('ready\n');
for (;;) {
  if (mode === 'file') await writeFileAtomic(target!, data);
  else
    await writeDirAtomic(target!, async (tmp) => {
      for (const part of ['a', 'b', 'c']) await writeFile(join(tmp, part), data);
    });
}
