import Table from 'cli-table3';

/**
 * Results go to stdout, progress and logs to stderr. With --json, stdout carries exactly one JSON document
 * and stderr carries one JSON object per line.
 */
export interface Output {
  json: boolean;
  result(value: unknown, human: () => string): void;
  progress(message: string, data?: Record<string, unknown>): void;
  warn(message: string): void;
  /** An error the user must act on (the caller sets the exit code); `data` (e.g. its code) only in --json. */
  error(message: string, data?: Record<string, unknown>): void;
}

function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

export function createOutput(json: boolean): Output {
  const logLine = (level: string, prefix: string, message: string, data?: Record<string, unknown>) =>
    process.stderr.write(
      json
        ? `${JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...(jsonSafe(data ?? {}) as object) })}\n`
        : `${prefix}: ${message}\n`,
    );
  return {
    json,
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(jsonSafe(value), null, 2)}\n` : `${human()}\n`);
    },
    progress(message, data) {
      if (json)
        process.stderr.write(
          `${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: message, ...(jsonSafe(data ?? {}) as object) })}\n`,
        );
      else process.stderr.write(`${message}\n`);
    },
    warn(message) {
      logLine('warn', 'warning', message);
    },
    error(message, data) {
      logLine('error', 'error', message, data);
    },
  };
}

export function formatTable(head: string[], rows: (string | number | null | undefined)[][]): string {
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const row of rows)
    table.push(row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  return table.toString();
}

export function formatCell(value: unknown, width = 40): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

export const formatSeconds = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)} s`;
export const formatCount = (n: number): string => n.toLocaleString('en-US');
