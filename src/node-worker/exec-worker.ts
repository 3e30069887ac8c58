// SPDX-License-Identifier: MIT
/**
 * The worker of `disco exec`: runs one program on one CPU (DESIGN.md section 5). The main thread
 * starts it through piscina and gets back an ExecResult; nothing here parses a command line.
 */
import { runProgram, type ExecRequest, type ExecResult } from '../exec/run.js';
import { createLogger } from '../shared/log.js';

export default function execTask(req: ExecRequest): ExecResult {
  return runProgram(req, createLogger(req.logLevel).child({ component: 'exec' }));
}
