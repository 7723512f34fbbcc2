/**
 * Headless Chromium through playwright-core, for browser tests: finds the system's
 * Chromium (Debian's `chromium` package; playwright's own browser downloads are not used)
 * and says what is missing when it cannot run.
 */
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The few playwright-core calls the tests make (typed here so type-checking does not need the package). */
export interface BrowserPage {
  goto(url: string): Promise<unknown>;
  waitForFunction(fn: string, arg?: unknown, options?: { timeout?: number }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  on(event: "pageerror", handler: (error: Error) => void): void;
  on(event: "console", handler: (message: { type(): string; text(): string }) => void): void;
  close(): Promise<void>;
}

export interface Browser {
  newPage(): Promise<BrowserPage>;
  close(): Promise<void>;
}

interface Playwright {
  chromium: { launch(options: { headless: boolean; executablePath: string; args: string[] }): Promise<Browser> };
}

/** The Chromium executable: $CHROMIUM_PATH, else `chromium` or `chromium-browser` on PATH; null when none. */
export function findChromium(): string | null {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return isExecutable(fromEnv) ? fromEnv : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean))
    for (const name of ["chromium", "chromium-browser"]) {
      const file = join(dir, name);
      if (isExecutable(file)) return file;
    }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** playwright-core when installed, else null. */
export async function loadPlaywright(): Promise<Playwright | null> {
  const name = "playwright-core"; // a variable, so type-checking does not need the package
  try {
    return (await import(name)) as Playwright;
  } catch {
    return null;
  }
}

/** Why browser tests cannot run here ("" when they can). */
export async function browserMissing(): Promise<string> {
  const missing: string[] = [];
  if (findChromium() === null) missing.push("chromium (apt-get install -y chromium, or set CHROMIUM_PATH)");
  if ((await loadPlaywright()) === null) missing.push("playwright-core (npm install playwright-core)");
  return missing.length === 0 ? "" : `browser tests need ${missing.join(" and ")}`;
}

/** Launches headless Chromium (no sandbox: tests may run as root in containers). */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  const playwright = await loadPlaywright();
  if (executablePath === null || playwright === null) throw new Error(await browserMissing());
  return playwright.chromium.launch({ headless: true, executablePath, args: ["--no-sandbox"] });
}
