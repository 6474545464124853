import cron from 'node-cron';

/**
 * Cron expressions as node-cron reads them (5 fields, or 6 with seconds first, local time): one check for the
 * config schema and the CLI's `--schedule`, and when such an expression next fires.
 */

/** Why an expression is not a cron expression node-cron accepts, or null when it is one. */
export function cronProblem(expression: string): string | null {
  return cron.validate(expression)
    ? null
    : `invalid cron expression "${expression}" (e.g. "0 * * * *" for hourly; 5 fields, or 6 with seconds first)`;
}

/** Whether node-cron accepts an expression. */
export function isValidCron(expression: string): boolean {
  return cronProblem(expression) === null;
}

/** A schedule further apart than this is not a real schedule (e.g. "0 0 30 2 *"): look no further. */
const HORIZON_DAYS = 366 * 5;

/** The first time strictly after `after` that a cron expression (node-cron syntax, local time) fires, or null. */
export function nextCronTime(expression: string, after: Date): Date | null {
  const fields = cron.parse(expression);
  const seconds = [...fields.second].sort((a, b) => a - b);
  const minutes = [...fields.minute].sort((a, b) => a - b);
  const hours = [...fields.hour].sort((a, b) => a - b);
  const months = new Set(fields.month);
  const daysOfMonth = new Set(fields.dayOfMonth.filter((d): d is number => typeof d === 'number'));
  const daysOfWeek = new Set(fields.dayOfWeek.filter((d): d is number => typeof d === 'number').map((d) => d % 7));
  const day = new Date(after.getFullYear(), after.getMonth(), after.getDate());
  for (let step = 0; step < HORIZON_DAYS; step += 1, day.setDate(day.getDate() + 1)) {
    if (!months.has(day.getMonth() + 1) || !daysOfMonth.has(day.getDate()) || !daysOfWeek.has(day.getDay())) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        for (const second of seconds) {
          const candidate = new Date(day.getFullYear(), day.getMonth(), day.getDate(), hour, minute, second);
          if (candidate.getTime() > after.getTime()) return candidate;
        }
      }
    }
  }
  return null;
}
