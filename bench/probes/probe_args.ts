/** The `--name value` pairs of a probe's command line; anything else is an error naming the probe. */
export function probeArgs(probe: string, argv: readonly string[] = process.argv.slice(2)): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i]!.startsWith('--') || argv[i + 1] === undefined) throw new Error(`${probe}: expected --name value pairs; got '${argv[i]}'.`);
    out[argv[i]!.slice(2)] = argv[i + 1]!;
  }
  return out;
}
