// The differential suite as init of the guest kernel on the bare machine (tests/helpers/kernel-differential.ts).
import { kernelDifferential } from '../helpers/kernel-differential.js';

kernelDifferential('bare');
