/**
 * The environment a launched experiment gets: what Node, the CLI and the plugins need,
 * not the server's whole environment (tokens and secrets of the shell that started it
 * have no business in a training process, its logs or its error messages).
 */
const KEEP = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR', 'TMP', 'TEMP', 'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'XDG_CACHE_HOME', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS'];

/** `KEEP` and every `ANOMALAB_*` variable of `env`, plus NO_COLOR=1 (the output is parsed). */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && (KEEP.includes(key) || key.startsWith('ANOMALAB_'))) out[key] = value;
  }
  out.NO_COLOR = '1';
  return out;
}
