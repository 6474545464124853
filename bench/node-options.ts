/**
 * The node options the README's command lines give (crontab, systemd units, `npm start`): V8's background
 * threads sized to the cores. Node starts four whatever the machine; on two cores they take turns with a run's
 * own threads, and its cold code waits (issue 18). The benches start the CLI as operators do.
 */
export const README_NODE_OPTIONS: readonly string[] = ['--v8-pool-size=0'];
