import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Opens an HTML file in Debian's chromium, headless, with a fresh profile and no network features, lets its scripts
 * (if any) run, and returns the DOM as the browser serialises it afterwards. A script that ran shows in the DOM.
 */
export async function renderedDom(htmlFile: string, timeoutMs = 180_000): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'ci-opt-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--virtual-time-budget=2000',
      '--dump-dom',
      pathToFileURL(htmlFile).href,
    ];
    return await new Promise<string>((resolve, reject) => {
      const child = spawn('chromium', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0 && stdout.includes('<html')) resolve(stdout);
        else reject(new Error(`chromium exited ${code}: ${stderr.slice(-2000)}`));
      });
    });
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
