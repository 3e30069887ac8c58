// The differential suite in a VM under Disco: the Disco build of the guest kernel, one vCPU
// (tests/helpers/kernel-differential.ts).
import { kernelDifferential } from '../helpers/kernel-differential.js';

kernelDifferential('disco');
