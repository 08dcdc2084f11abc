/**
 * The media tools a processing runs, as child processes: `janus-pp-rec` (Debian janus-tools) to turn Janus's
 * .mjr files into media files, `ffmpeg` to measure and compose them, `ffprobe` to read durations. No media is
 * handled here: arguments go in, text and exit codes come out. A child is killed (by its pid) when the job is
 * aborted, so stopping the service leaves none running.
 */
import { spawn } from 'node:child_process';

export interface MediaToolPaths {
  janusPpRec: string;
  ffmpeg: string;
  ffprobe: string;
}

/** A tool that could not be run, or that exited with a failure; `output` is the end of what it said. */
export class ToolError extends Error {
  override name = 'ToolError';
  readonly missing: boolean;
  readonly output: string;
  constructor(message: string, { missing = false, output = '' }: { missing?: boolean; output?: string } = {}) {
    super(output ? `${message}: ${output}` : message);
    this.missing = missing;
    this.output = output;
  }
}

export interface RunOptions {
  signal: AbortSignal;
  /** Each line of standard output as it comes (ffmpeg's -progress). */
  onLine?: (line: string) => void;
  /** Characters of each output kept (the end of it); 64 000 unless a caller reads long logs. */
  keep?: number;
}

const KEPT_OUTPUT = 1500;

/** Runs a tool to its end; answers its standard output and error. Rejects with ToolError, or the abort reason. */
export function runTool(executable: string, args: readonly string[], { signal, onLine, keep = 64_000 }: RunOptions): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let pending = '';
    const onAbort = () => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stdout = (stdout + text).slice(-keep);
      if (!onLine) return;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line.trim());
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-keep)));
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(new ToolError(`${executable} could not be run (${error.code ?? error.message})`, { missing: error.code === 'ENOENT' || error.code === 'EACCES' }));
    });
    child.once('close', (code, killedBy) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve({ stdout, stderr });
      reject(new ToolError(`${executable} exited with ${code ?? killedBy}`, { output: stderr.trim().slice(-KEPT_OUTPUT) }));
    });
  });
}

/** A media file's duration in milliseconds, from its container; null when ffprobe finds none. */
export async function probeDurationMs(tools: MediaToolPaths, file: string, signal: AbortSignal): Promise<number | null> {
  const { stdout } = await runTool(tools.ffprobe, ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', file], { signal });
  const seconds = Number.parseFloat(stdout.trim());
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : null;
}

/** What a finished file holds: its streams' kinds and its duration (checks the output before it is kept). */
export async function probeStreams(tools: MediaToolPaths, file: string, signal: AbortSignal): Promise<{ kinds: string[]; durationMs: number | null }> {
  const { stdout } = await runTool(tools.ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', file], { signal });
  const parsed = JSON.parse(stdout) as { streams?: Array<{ codec_type?: string }>; format?: { duration?: string } };
  const seconds = Number.parseFloat(parsed.format?.duration ?? '');
  return { kinds: (parsed.streams ?? []).map((stream) => stream.codec_type ?? 'unknown'), durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : null };
}
