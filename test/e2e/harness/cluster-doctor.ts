import { execFile } from 'child_process';
import * as path from 'path';

/** The built `cluster-doctor` command, as users run it (`npm run build` makes it). */
export const DOCTOR_COMMAND = path.join(__dirname, '..', '..', '..', 'build', 'lib', 'cli', 'doctor.js');

export interface DoctorRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The parsed report when `--json` was given. */
  readonly json?: any;
}

/** Runs cluster-doctor without blocking this process (a test may serve something it asks), within 120 s. */
export async function runDoctor(...args: string[]): Promise<DoctorRun> {
  const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [DOCTOR_COMMAND, ...args], { encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr })),
  );
  let json;
  try {
    json = args.includes('--json') ? JSON.parse(r.stdout) : undefined;
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

/** The doctor's kubelet-logs findings of a report: node -> [status, cause id]. */
export function kubeletLogFindings(json: any): Record<string, [string, string | undefined]> {
  const out: Record<string, [string, string | undefined]> = {};
  for (const f of json?.findings ?? []) if (f.check === 'kubelet-logs') out[f.subject] = [f.status, f.cause?.id];
  return out;
}
