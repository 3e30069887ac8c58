// SPDX-License-Identifier: MIT
/**
 * Logging through pino, to stderr (fd 2) and synchronously, so that nothing is lost when a
 * program exits and nothing of the emulator's ever reaches stdout. One logger per thread; a
 * subsystem takes a child (`log.child({ component: 'exec' })`).
 */
import { pino, type Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}

/** The level from the option, else DISCO_LOG_LEVEL, else 'warn'. */
export function logLevel(option?: string): LogLevel {
  const l = option ?? process.env.DISCO_LOG_LEVEL;
  return l !== undefined && isLogLevel(l) ? l : 'warn';
}

export function createLogger(level?: string): Logger {
  return pino({
    name: 'disco', level: logLevel(level), base: undefined,
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  }, pino.destination({ fd: 2, sync: true }));
}
