/** Process exit codes, documented in README.md ("Exit codes"); values follow sysexits.h where one fits. */
export const ExitCode = {
  /** The command did its work (a run completed, even if some sources failed). */
  ok: 0,
  /** The command could not run: bad config, bad arguments, unreadable database. */
  failed: 1,
  /** Invalid command-line usage (commander's own errors). */
  usage: 64,
  /** Another feedmerge run holds the lock (EX_TEMPFAIL: cron may simply try again next time). */
  locked: 75,
} as const;
