// The console's reader going away (`disco boot | head -1`) drops the rest of the output; the
// machine runs on and disco exits with the guest's status, not with a fault.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';

describe('console output to a closed pipe', () => {
  it('disco boot | head -1 prints one line and disco exits with the guest status', () => {
    const r = spawnSync('bash', ['-c', 'set -o pipefail; node bin/disco.js boot -q --args 0,5 | head -1'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toBe('hello from user mode\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(5);
  });
});
